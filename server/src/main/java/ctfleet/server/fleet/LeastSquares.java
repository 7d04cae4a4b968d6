package ctfleet.server.fleet;

/**
 * Weighted least squares for a handful of regressors, by the normal equations.
 *
 * <p>At most a few dozen columns over at most a few thousand points, and most rows touch only a
 * few of the columns (a regime's level and slope, the seasonal terms), so a row is added sparsely:
 * the ranking fits every host of the fleet on each call. Time is measured in days around the query
 * time and counts in fill units, so the normal equations are small and well conditioned and a
 * library (and its QR decomposition) would buy nothing.
 */
final class LeastSquares {
    private final int k;
    private final double[][] xtx;
    private final double[] xty;
    private double yy;
    private double weight;
    private boolean sparse;
    private int n;

    LeastSquares(int columns) {
        k = columns;
        xtx = new double[k][k];
        xty = new double[k];
    }

    /** A dense row of weight 1. */
    void add(double[] row, double y) {
        for (int i = 0; i < k; i++) {
            xty[i] += row[i] * y;
            for (int j = 0; j < k; j++) {
                xtx[i][j] += row[i] * row[j];
            }
        }
        yy += y * y;
        weight += 1;
        n++;
    }

    /**
     * A row whose only non-zero columns are {@code cols[0..nnz)} (distinct, in any order) with
     * values {@code vals}, weighted. Not to be mixed with {@link #add(double[], double)} on one
     * instance.
     */
    void add(int[] cols, double[] vals, int nnz, double y, double w) {
        if (w <= 0) {
            return;
        }
        // Upper triangle only; solve() mirrors it. Each product goes to the upper cell whatever
        // order the caller lists its columns in: a caller that put a shared column after a later
        // one once built wrong normal equations silently, and a comparison costs less than a check.
        for (int a = 0; a < nnz; a++) {
            double wa = w * vals[a];
            int ca = cols[a];
            xty[ca] += wa * y;
            double[] rowA = xtx[ca];
            for (int b = a; b < nnz; b++) {
                int cb = cols[b];
                if (cb >= ca) {
                    rowA[cb] += wa * vals[b];
                } else {
                    xtx[cb][ca] += wa * vals[b];
                }
            }
        }
        sparse = true;
        yy += w * y * y;
        weight += w;
        n++;
    }

    int size() {
        return n;
    }

    /**
     * Coefficients, their standard errors, the residual standard deviation s (from the weighted
     * residual sum of squares over n − k), and (X'WX)^-1, whose entries times s² are the
     * coefficients' covariances.
     */
    record Fit(double[] beta, double[] standardError, double residualStd, double[][] inverse) {
        /** beta[j] / se[j]; infinite for a noiseless fit. */
        double t(int j) {
            return standardError[j] > 0 ? beta[j] / standardError[j] : Math.copySign(Double.POSITIVE_INFINITY, beta[j]);
        }
    }

    /** The fit, or null when the columns are (nearly) collinear, e.g. all points at one instant. */
    Fit solve() {
        if (sparse) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < i; j++) {
                    xtx[i][j] = xtx[j][i];
                }
            }
            sparse = false;
        }
        // Gauss-Jordan on [XtX | Xty | I]: the coefficients and the inverse (for covariances) at once.
        int w = 2 * k + 1;
        double[][] a = new double[k][w];
        for (int i = 0; i < k; i++) {
            System.arraycopy(xtx[i], 0, a[i], 0, k);
            a[i][k] = xty[i];
            a[i][k + 1 + i] = 1;
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double scale = Math.abs(xtx[col][col]);
            if (Math.abs(a[pivot][col]) <= 1e-12 * Math.max(scale, 1e-300)) {
                return null;
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            double p = a[col][col];
            for (int c = 0; c < w; c++) {
                a[col][c] /= p;
            }
            for (int r = 0; r < k; r++) {
                if (r != col && a[r][col] != 0) {
                    double f = a[r][col];
                    for (int c = 0; c < w; c++) {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        double[] beta = new double[k];
        double explained = 0;
        double[][] inverse = new double[k][k];
        for (int i = 0; i < k; i++) {
            beta[i] = a[i][k];
            explained += beta[i] * xty[i];
            System.arraycopy(a[i], k + 1, inverse[i], 0, k);
        }
        // Residual variance s^2 = RSS / (n - k), RSS = y'Wy - beta'X'Wy; var(beta_j) = s^2 (X'WX)^-1_jj.
        // With weights, n is scaled to the total weight so down-weighted rows count for less.
        double dof = weight * (n - k) / Math.max(1, n);
        double s2 = n > k && dof > 0 ? Math.max(0, yy - explained) / dof : 0;
        double[] se = new double[k];
        for (int i = 0; i < k; i++) {
            se[i] = Math.sqrt(Math.max(0, s2 * inverse[i][i]));
        }
        return new Fit(beta, se, Math.sqrt(s2), inverse);
    }
}
