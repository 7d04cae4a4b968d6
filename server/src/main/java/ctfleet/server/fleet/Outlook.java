package ctfleet.server.fleet;

/**
 * The distribution of the time until the table is full, from the trend's draws
 * ({@link TrendPosterior}) and the excursions around it ({@link Excursions}).
 *
 * <p>For one draw the projected trend is {@code μ(τ) = a + b·τ + S(now + τ)} (S the daily/weekly
 * cycle). Excursion
 * episodes that reach max arrive as a Poisson process of rate {@code λ(1 − μ(τ))}, so
 * {@code P(T ≤ τ | draw) = 1 − exp(−∫₀^τ λ)}, and 1 at once where μ itself reaches max. The
 * mixture over the draws is the forecast's CDF F(τ): {@code p_full = F(horizon)}, and the ETA
 * is its median with the 10th and 90th percentiles as {@code eta_low}/{@code eta_high}, so the
 * probability and the dates always agree.
 *
 * <p>The integral runs on a grid that is fine near now (steps of τ/12, at least the sampling
 * interval) and coarse further out (30 minutes, then an hour beyond two days: a daily crest
 * sampled every 30 minutes is within 1 % of its amplitude), up to {@link #REACH} or the horizon.
 */
final class Outlook {
    static final double REACH = 7 * Observations.DAY;
    static final double LOW_QUANTILE = 0.1;
    static final double HIGH_QUANTILE = 0.9;

    final double pFull;
    final double etaMedian;
    final double etaLow;
    final double etaHigh;
    /** The CDF on the grid (for the reasons: when a crest reaches max). */
    final double[] tau;
    final double[] cdf;

    private Outlook(double pFull, double etaMedian, double etaLow, double etaHigh, double[] tau, double[] cdf) {
        this.pFull = pFull;
        this.etaMedian = etaMedian;
        this.etaLow = etaLow;
        this.etaHigh = etaHigh;
        this.tau = tau;
        this.cdf = cdf;
    }

    private static final java.util.concurrent.ConcurrentHashMap<Long, double[]> GRIDS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Seconds from now at which to evaluate: fine first, coarse later, ending at {@code end}. The
     * same for every host of a fleet sampled alike, so kept (read only) per spacing and end.
     */
    static double[] grid(double spacing, double end) {
        long key = Math.round(Math.max(0, spacing)) * 100_000_000L + Math.round(end);
        if (GRIDS.size() > 1_000) {
            GRIDS.clear(); // spacings are few in practice; never let odd ones pile up
        }
        return GRIDS.computeIfAbsent(key, k -> makeGrid(Math.round(Math.max(0, spacing)), Math.round(end)));
    }

    private static double[] makeGrid(double spacing, double end) {
        double[] t = new double[512];
        int k = 0;
        double tau = 0;
        double minStep = Math.max(1, Math.min(spacing > 0 ? spacing : 10, 600));
        while (true) {
            if (k == t.length) {
                t = java.util.Arrays.copyOf(t, 2 * k);
            }
            t[k++] = tau;
            if (tau >= end) {
                break;
            }
            double coarse = tau < 2 * Observations.DAY ? 1800 : 3600;
            double step = Math.min(coarse, Math.max(minStep, tau / 12));
            tau = Math.min(end, tau + step);
        }
        return java.util.Arrays.copyOf(t, k);
    }

    /**
     * @param season the cycle's value at each grid time (zeros without one)
     */
    static Outlook of(TrendPosterior post, double[] tau, double[] season, Excursions ex, double horizonSeconds) {
        int steps = tau.length;
        double[] reach = tau;
        double reachFor = Double.POSITIVE_INFINITY;
        double[] cdf = new double[steps];
        double end = tau[steps - 1];
        double seasonMax = Double.NEGATIVE_INFINITY;
        for (double s : season) {
            seasonMax = Math.max(seasonMax, s);
        }
        for (int d = 0; d < post.size; d++) {
            double a = post.level[d];
            double b = post.slope[d] / Observations.DAY;
            double w = post.weight[d];
            if (post.damping[d] != reachFor) {
                // A fading slope moves the level by at most its fade time's worth: T (1 − e^(−τ/T)).
                reachFor = post.damping[d];
                reach = new double[steps];
                for (int j = 0; j < steps; j++) {
                    reach[j] = Double.isInfinite(reachFor) ? tau[j] : reachFor * -Math.expm1(-tau[j] / reachFor);
                }
            }
            double highest = a + Math.max(0, b) * reach[steps - 1] + seasonMax;
            if (1 - highest > ex.reach(highest)) {
                continue; // neither the trend nor any excursion it allows gets there: F stays 0 for this draw
            }
            double hazard = 0;
            for (int j = 0; j < steps; j++) {
                double mu = a + b * reach[j] + season[j];
                double gap = 1 - mu;
                if (gap <= 0) {
                    hazard = Double.POSITIVE_INFINITY;
                } else if (j > 0) {
                    hazard += ex.rate(gap, mu) * (tau[j] - tau[j - 1]);
                }
                if (hazard > 40) {
                    for (int r = j; r < steps; r++) {
                        cdf[r] += w;
                    }
                    break;
                }
                cdf[j] += w * chance(hazard);
            }
        }
        double total = 0;
        for (int d = 0; d < post.size; d++) {
            total += post.weight[d];
        }
        for (int j = 0; j < steps; j++) {
            cdf[j] = Math.min(1, cdf[j] / total);
        }
        return new Outlook(at(tau, cdf, horizonSeconds), quantile(tau, cdf, 0.5), quantile(tau, cdf, LOW_QUANTILE),
                quantile(tau, cdf, HIGH_QUANTILE), tau, cdf);
    }

    /**
     * {@code 1 − e^(−h)}, the chance of at least one episode for an integrated rate h. Most steps of
     * most draws carry a rate far below 1e-5, where three terms of the series agree with
     * {@code expm1} to one unit in the last place and cost a fraction of it (it was the integral's
     * dearest call).
     */
    static double chance(double h) {
        return h < 1e-5 ? h * (1 - h * (0.5 - h / 6)) : -Math.expm1(-h);
    }

    /** Full now: certain, and at once. */
    static Outlook full() {
        return new Outlook(1, 0, 0, 0, new double[] {0}, new double[] {1});
    }

    /** Nothing known: never full within reach. */
    static Outlook none() {
        return new Outlook(0, Double.NaN, Double.NaN, Double.NaN, new double[] {0}, new double[] {0});
    }

    private static double at(double[] tau, double[] cdf, double t) {
        if (t <= 0) {
            return cdf[0];
        }
        for (int j = 1; j < tau.length; j++) {
            if (tau[j] >= t) {
                double f = (t - tau[j - 1]) / (tau[j] - tau[j - 1]);
                return cdf[j - 1] + f * (cdf[j] - cdf[j - 1]);
            }
        }
        return cdf[cdf.length - 1];
    }

    /** The first τ where F reaches q (linear between grid points), NaN when it never does within the grid. */
    private static double quantile(double[] tau, double[] cdf, double q) {
        if (cdf[0] >= q) {
            return 0;
        }
        for (int j = 1; j < tau.length; j++) {
            if (cdf[j] >= q) {
                double f = (q - cdf[j - 1]) / (cdf[j] - cdf[j - 1]);
                return tau[j - 1] + f * (tau[j] - tau[j - 1]);
            }
        }
        return Double.NaN;
    }
}
