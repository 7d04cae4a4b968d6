package ctfleet.server.fleet;

import java.util.Arrays;
import java.util.List;

/**
 * One robust regression over the whole window: a line per regime ({@link Regimes}) plus the
 * daily/weekly cycle ({@link Seasonal}) shared by all of them. The newest regime's line is the
 * trend the forecast extrapolates; the older regimes are there so the cycle is estimated from the
 * whole window, not only from the part since the last step.
 *
 * <p>Robust: when a residual lies beyond 3.5 robust standard deviations (a burst), the fit is
 * repeated twice with Huber weights {@code min(1, 2s/|r|)}, {@code s = 1.4826 · MAD}, so a burst
 * neither bends the trend nor widens the noise.
 *
 * <p>A regime with fewer than {@link #MIN_SLOPE_POINTS} points, or spanning under three sampling
 * intervals, gets a level only: one step must never be read as a slope.
 */
final class TrendFit {
    static final int MIN_SLOPE_POINTS = 6;
    /**
     * Older regimes beyond this many share one slope: they only help estimate the cycle. Not fewer:
     * a climb settling after a step of traffic is cut into several regimes, and one that shared the
     * flat slope from before the step was fitted flat, its joints read as steps and its misfit peaks
     * as a burst.
     */
    static final int MAX_REGIMES = 8;
    /** A seasonal term counts when its squared t adds up to this per column (χ² at 0.1 % for 2 columns: 13.8). */
    static final double SEASONAL_CHI2_PER_COLUMN = 6.9;

    final double[] fitted;
    final double level;
    final double slope;
    final boolean slopeKnown;
    /** (X'WX)^-1 entries of the newest regime's level and slope: times s²κ, their covariance. */
    final double caa;
    final double cab;
    final double cbb;
    final Seasonal seasonal;
    final double[] coef;
    final int seasonalOffset;
    final double[] weights;
    final boolean seasonalSignificant;
    /** 1.4826 · MAD of the residuals of the points fitted (weight > 0 before reweighting). */
    final double residualScale;
    /** (1+ρ)/(1−ρ) for the residuals' lag-1 autocorrelation ρ. */
    final double inflation;
    /** The slope of the regime before the newest, and its (X'WX)^-1 entry; NaN when it carried none. */
    final double beforeSlope;
    final double beforeCbb;

    private TrendFit(double[] fitted, double level, double slope, boolean slopeKnown, double caa, double cab,
            double cbb, Seasonal seasonal, double[] coef, int seasonalOffset, double[] weights,
            boolean seasonalSignificant, double residualScale, double inflation, double beforeSlope,
            double beforeCbb) {
        this.beforeSlope = beforeSlope;
        this.beforeCbb = beforeCbb;
        this.fitted = fitted;
        this.level = level;
        this.slope = slope;
        this.slopeKnown = slopeKnown;
        this.caa = caa;
        this.cab = cab;
        this.cbb = cbb;
        this.seasonal = seasonal;
        this.coef = coef;
        this.seasonalOffset = seasonalOffset;
        this.weights = weights;
        this.seasonalSignificant = seasonalSignificant;
        this.residualScale = residualScale;
        this.inflation = inflation;
    }

    /** This fit with its cycle kept out of projections (it did not stand out of the noise). */
    TrendFit withoutCycle() {
        return new TrendFit(fitted, level, slope, slopeKnown, caa, cab, cbb, null, coef, seasonalOffset, weights, false,
                residualScale, inflation, beforeSlope, beforeCbb);
    }

    /** The cycle's value at an absolute time; 0 without one. */
    double season(double tSeconds) {
        return seasonal == null ? 0 : seasonal.value(coef, seasonalOffset, tSeconds);
    }

    /**
     * Fits the regimes and the cycle; null when nothing can be fitted (every point left out).
     *
     * @param w        the points' weights (0 leaves a point out: clamped at max)
     * @param design   the seasonal columns, {@code seasonal.columns()} per point, or null
     */
    static TrendFit fit(Observations o, List<Regimes.Start> regimes, double[] w, Seasonal seasonal, double[] design) {
        int n = o.n;
        // Regimes with no point in use (all clamped, or a refill left out) have nothing to fit: merged
        // into the one before.
        List<Integer> kept = new java.util.ArrayList<>();
        List<Regimes.Kind> kinds = new java.util.ArrayList<>();
        for (int j = 0; j < regimes.size(); j++) {
            int from = regimes.get(j).from();
            int to = j + 1 < regimes.size() ? regimes.get(j + 1).from() : n;
            boolean used = false;
            for (int i = from; i < to && !used; i++) {
                used = w[i] > 0;
            }
            if (used || kept.isEmpty()) {
                kept.add(from);
                kinds.add(regimes.get(j).kind());
            }
        }
        int r = kept.size();
        int[] start = new int[r];
        for (int j = 1; j < r; j++) {
            start[j] = kept.get(j);
        }
        int[] regimeOf = new int[n];
        for (int j = 0, i = 0; i < n; i++) {
            while (j + 1 < r && i >= start[j + 1]) {
                j++;
            }
            regimeOf[i] = j;
        }
        // Columns: a level per regime, a slope per regime that can carry one, then the cycle. Beyond
        // MAX_REGIMES the oldest share one slope but keep their levels: a step stays a step however
        // many came after it (merged into one line, a staircase's oldest steps read as growth).
        int shared = Math.max(1, r - MAX_REGIMES + 1);
        int[] levelCol = new int[r];
        int[] slopeCol = new int[r];
        int cols = 0;
        for (int j = 0; j < r; j++) {
            levelCol[j] = cols++;
            if (j == 0 || j >= shared) {
                int end = j + 1 < r ? start[Math.max(j + 1, shared)] : n;
                // A change of slope was found as two lines of at least Regimes.MIN_POINTS each: an
                // older one keeps the slope it was found with. The newest, extrapolated, needs more.
                int least = j < r - 1 && kinds.get(j) == Regimes.Kind.CHANGE ? Regimes.MIN_POINTS : MIN_SLOPE_POINTS;
                slopeCol[j] = canCarrySlope(o, w, start[j], end, least) ? cols++ : -1;
            } else {
                slopeCol[j] = slopeCol[0];
            }
        }
        int seasonalOffset = cols;
        int sc = seasonal == null ? 0 : seasonal.columns();
        cols += sc;

        double[] weights = w.clone();
        LeastSquares.Fit fit = null;
        double scale = 0;
        double[] fitted = new double[n];
        double[] residuals = new double[n];
        int[] idx = new int[2 + sc];
        double[] val = new double[2 + sc];
        for (int pass = 0; pass < 3; pass++) {
            LeastSquares ls = new LeastSquares(cols);
            for (int i = 0; i < n; i++) {
                if (weights[i] <= 0) {
                    continue;
                }
                int j = regimeOf[i];
                int nnz = 0;
                idx[nnz] = levelCol[j];
                val[nnz++] = 1;
                if (slopeCol[j] >= 0) {
                    idx[nnz] = slopeCol[j];
                    val[nnz++] = o.x[i];
                }
                for (int c = 0; c < sc; c++) {
                    idx[nnz] = seasonalOffset + c;
                    val[nnz++] = design[i * sc + c];
                }
                ls.add(idx, val, nnz, o.y[i], weights[i]);
            }
            LeastSquares.Fit f = ls.solve();
            if (f == null) {
                if (fit == null) {
                    return null;
                }
                break;
            }
            fit = f;
            double[] b = fit.beta();
            for (int i = 0; i < n; i++) {
                int j = regimeOf[i];
                double v = b[levelCol[j]] + (slopeCol[j] >= 0 ? b[slopeCol[j]] * o.x[i] : 0);
                for (int c = 0; c < sc; c++) {
                    v += b[seasonalOffset + c] * design[i * sc + c];
                }
                fitted[i] = v;
            }
            scale = Noise.robustStd(o, w, fitted, residuals);
            if (pass == 2 || !reweight(o, w, fitted, weights, scale)) {
                break;
            }
        }
        double[] b = fit.beta();
        double[][] inv = fit.inverse();
        int last = r - 1;
        int a = levelCol[last];
        int s = slopeCol[last];
        boolean significant = false;
        double kappa = Noise.inflation(o, w, fitted);
        if (sc > 0) {
            double s2k = scale * scale * kappa;
            double chi = 0;
            for (int c = 0; c < sc; c++) {
                int col = seasonalOffset + c;
                double var = inv[col][col] * s2k;
                chi += var > 0 ? b[col] * b[col] / var : 0;
            }
            double amplitude = 0;
            for (int c = 0; c < sc; c += 2) {
                amplitude += Math.hypot(b[seasonalOffset + c], b[seasonalOffset + c + 1]);
            }
            significant = chi >= SEASONAL_CHI2_PER_COLUMN * sc && amplitude >= 0.005;
        }
        int before = last > 0 ? slopeCol[last - 1] : -1;
        return new TrendFit(fitted, b[a], s >= 0 ? b[s] : 0, s >= 0, inv[a][a], s >= 0 ? inv[a][s] : 0,
                s >= 0 ? inv[s][s] : Double.POSITIVE_INFINITY, seasonal, b, seasonalOffset, weights, significant, scale,
                kappa, before >= 0 ? b[before] : Double.NaN, before >= 0 ? inv[before][before] : Double.NaN);
    }

    private static boolean canCarrySlope(Observations o, double[] w, int from, int to, int least) {
        int count = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        for (int i = from; i < to; i++) {
            if (w[i] > 0) {
                count++;
                if (Double.isNaN(first)) {
                    first = o.x[i];
                }
                last = o.x[i];
            }
        }
        return count >= least && (last - first) * Observations.DAY >= 3 * o.spacing;
    }

    /** Huber weights against the current fit; false when no residual is far enough out to bother. */
    private static boolean reweight(Observations o, double[] base, double[] fitted, double[] weights, double s) {
        if (!(s > 0)) {
            return false;
        }
        boolean outlier = false;
        for (int i = 0; i < o.n; i++) {
            if (base[i] > 0 && Math.abs(o.y[i] - fitted[i]) > 3.5 * s) {
                outlier = true;
                break;
            }
        }
        if (!outlier) {
            return false;
        }
        for (int i = 0; i < o.n; i++) {
            double r = Math.abs(o.y[i] - fitted[i]);
            weights[i] = base[i] * (r > 2 * s ? 2 * s / r : 1);
        }
        return true;
    }

    /** Robust statistics of residuals shared by the fit and the noise model. */
    static final class Noise {
        private Noise() {}

        /**
         * 1.4826 · the median absolute deviation of the weighted-in residuals from their median,
         * worked out in {@code r} (o.n long, overwritten: each pass of a fit reuses one).
         */
        static double robustStd(Observations o, double[] w, double[] fitted, double[] r) {
            int m = 0;
            for (int i = 0; i < o.n; i++) {
                if (w[i] > 0) {
                    r[m++] = o.y[i] - fitted[i];
                }
            }
            return Medians.madInPlace(r, m);
        }

        /** The median of a[0..m) (reorders a). */
        static double median(double[] a, int m) {
            return Medians.median(a, m);
        }

        /** (1+ρ)/(1−ρ), ρ the lag-1 autocorrelation of the residuals (gaps skipped), clamped to [0, 0.95]. */
        static double inflation(Observations o, double[] w, double[] fitted) {
            double num = 0;
            double den = 0;
            double prev = Double.NaN;
            for (int i = 0; i < o.n; i++) {
                if (w[i] <= 0) {
                    prev = Double.NaN;
                    continue;
                }
                double r = o.y[i] - fitted[i];
                den += r * r;
                if (!Double.isNaN(prev) && !o.gapBefore(i)) {
                    num += r * prev;
                }
                prev = r;
            }
            return inflation(num, den);
        }

        /**
         * (1+ρ)/(1−ρ) for ρ = {@code lagged / squares} (Σ r_i·r_{i−1} over Σ r_i²), clamped to
         * [0, 0.95]: how many times fewer independent errors neighbouring residuals carry.
         */
        static double inflation(double lagged, double squares) {
            double rho = squares > 0 ? Math.max(0, Math.min(0.95, lagged / squares)) : 0;
            return (1 + rho) / (1 - rho);
        }
    }
}
