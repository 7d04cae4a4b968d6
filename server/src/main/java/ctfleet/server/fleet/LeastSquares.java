package ctfleet.server.fleet;

/**
 * Ordinary least squares for a handful of regressors, by the normal equations.
 *
 * <p>Two or four columns over at most a few thousand points: the normal equations are small and
 * well conditioned once time is measured in days around the query time, so a library (and its
 * QR decomposition) would buy nothing.
 */
final class LeastSquares {
    private final int k;
    private final double[][] xtx;
    private final double[] xty;
    private double yy;
    private int n;

    LeastSquares(int columns) {
        k = columns;
        xtx = new double[k][k];
        xty = new double[k];
    }

    void add(double[] row, double y) {
        for (int i = 0; i < k; i++) {
            xty[i] += row[i] * y;
            for (int j = 0; j < k; j++) {
                xtx[i][j] += row[i] * row[j];
            }
        }
        yy += y * y;
        n++;
    }

    int size() {
        return n;
    }

    /** Coefficients, their standard errors, and the residual standard deviation s. */
    record Fit(double[] beta, double[] standardError, double residualStd) {
        /** beta[j] / se[j]; infinite for a noiseless fit. */
        double t(int j) {
            return standardError[j] > 0 ? beta[j] / standardError[j] : Math.copySign(Double.POSITIVE_INFINITY, beta[j]);
        }
    }

    /** The fit, or null when the columns are (nearly) collinear, e.g. all points at one instant. */
    Fit solve() {
        // Gauss-Jordan on [XtX | Xty | I]: the coefficients and the inverse (for standard errors) at once.
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
        for (int i = 0; i < k; i++) {
            beta[i] = a[i][k];
            explained += beta[i] * xty[i];
        }
        // Residual variance s^2 = RSS / (n - k), RSS = y'y - beta'X'y; var(beta_j) = s^2 (X'X)^-1_jj.
        double s2 = n > k ? Math.max(0, yy - explained) / (n - k) : 0;
        double[] se = new double[k];
        for (int i = 0; i < k; i++) {
            se[i] = Math.sqrt(Math.max(0, s2 * a[i][k + 1 + i]));
        }
        return new Fit(beta, se, Math.sqrt(s2));
    }
}
