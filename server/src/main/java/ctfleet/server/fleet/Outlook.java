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
    /** The grid the CDF was integrated on (for the reasons: when a crest reaches max). */
    final double[] tau;

    private Outlook(double pFull, double etaMedian, double etaLow, double etaHigh, double[] tau) {
        this.pFull = pFull;
        this.etaMedian = etaMedian;
        this.etaLow = etaLow;
        this.etaHigh = etaHigh;
        this.tau = tau;
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
        Curve f = Curve.integrate(post, tau, season, ex);
        return new Outlook(f.at(horizonSeconds), f.quantile(0.5), f.quantile(LOW_QUANTILE), f.quantile(HIGH_QUANTILE),
                tau);
    }

    /**
     * F on the grid, worked out only where asked. Each draw's integrated rate is kept per grid step;
     * turning it into a chance ({@link #chance}, an {@code expm1} past 1e-5) for every draw at every
     * step was four fifths of the outlook's samples in a profile of the server ranking an imported
     * fleet, yet p_full reads F at the horizon and the ETAs at three quantiles. F never falls along
     * the grid (each draw's integral only grows), so a quantile's step is found by bisection, about
     * eight points each. Every point is the same sum, in the same order, as the whole curve would
     * have.
     */
    static final class Curve {
        private final double[] tau;
        private final double[] weight;
        /** Per kept draw, its integrated rate at each grid step, steps apart. */
        private final double[] hazard;
        /** Per kept draw, the first step from which it counts whole (its hazard past 40, or the trend at max). */
        private final int[] whole;
        private final int kept;
        private final double total;
        /** F at each step once worked out, NaN before. */
        private final double[] known;

        Curve(double[] tau, double[] weight, double[] hazard, int[] whole, int kept, double total) {
            this.tau = tau;
            this.weight = weight;
            this.hazard = hazard;
            this.whole = whole;
            this.kept = kept;
            this.total = total;
            known = new double[tau.length];
            java.util.Arrays.fill(known, Double.NaN);
        }

        static Curve integrate(TrendPosterior post, double[] tau, double[] season, Excursions ex) {
            int steps = tau.length;
            double[] reach = tau;
            double reachFor = Double.POSITIVE_INFINITY;
            double seasonMax = Double.NEGATIVE_INFINITY;
            for (double s : season) {
                seasonMax = Math.max(seasonMax, s);
            }
            double[] weight = new double[post.size];
            double[] hazards = scratch(post.size * steps);
            int[] whole = new int[post.size];
            int kept = 0;
            for (int d = 0; d < post.size; d++) {
                double a = post.level[d];
                double b = post.slope[d] / Observations.DAY;
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
                int base = kept * steps;
                whole[kept] = steps;
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
                        whole[kept] = j;
                        break;
                    }
                    hazards[base + j] = hazard;
                }
                weight[kept++] = post.weight[d];
            }
            double total = 0;
            for (int d = 0; d < post.size; d++) {
                total += post.weight[d];
            }
            return new Curve(tau, weight, hazards, whole, kept, total);
        }

        /**
         * The hazards' room, one per thread and reused: a bursty host keeps every draw, 84 × 250
         * values, and a fresh array per host per ranking would double the ranking's allocation. A
         * curve lives only within {@link Outlook#of}, which nothing on the same thread re-enters.
         */
        private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);

        private static double[] scratch(int size) {
            double[] room = SCRATCH.get();
            if (room.length < size) {
                room = new double[size];
                SCRATCH.set(room);
            }
            return room;
        }

        /** F at grid step j. */
        double atStep(int j) {
            double f = known[j];
            if (f == f) {
                return f;
            }
            double sum = 0;
            for (int k = 0; k < kept; k++) {
                sum += j >= whole[k] ? weight[k] : weight[k] * chance(hazard[k * tau.length + j]);
            }
            f = Math.min(1, sum / total);
            known[j] = f;
            return f;
        }

        /** F at τ seconds from now (linear between grid points). */
        double at(double t) {
            if (t <= 0) {
                return atStep(0);
            }
            for (int j = 1; j < tau.length; j++) {
                if (tau[j] >= t) {
                    double f = (t - tau[j - 1]) / (tau[j] - tau[j - 1]);
                    double lo = atStep(j - 1);
                    return lo + f * (atStep(j) - lo);
                }
            }
            return atStep(tau.length - 1);
        }

        /**
         * The first τ where F reaches q (linear between grid points), NaN when it never does within
         * the grid. F within {@link #SLACK} of q reaches it.
         */
        double quantile(double quantile) {
            double q = quantile - SLACK;
            if (atStep(0) >= q) {
                return 0;
            }
            int last = tau.length - 1;
            if (atStep(last) < q) {
                return Double.NaN;
            }
            // F(lo) < q <= F(hi): the first step that reaches q lies in (lo, hi].
            int lo = 0;
            int hi = last;
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (atStep(mid) >= q) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            double below = atStep(hi - 1);
            double f = (q - below) / (atStep(hi) - below);
            return tau[hi - 1] + f * (tau[hi] - tau[hi - 1]);
        }
    }

    /**
     * F (or p_full) this close below a quantile or a status threshold counts as reaching it. The
     * weights are sums of rounded node weights: a surge's share of the belief (step 8) sums to one
     * half give or take 1e-16, and which way that rounding fell decided whether a storm minutes
     * from max had a median ETA ("p_full 50 %, ETA —" at 96 % and rising 90 %/h) or one of ten
     * minutes, and whether it was crit or warn.
     */
    static final double SLACK = 1e-9;

    /**
     * {@code 1 − e^(−h)}, the chance of at least one episode for an integrated rate h. Most steps of
     * most draws carry a rate far below 1e-5, where three terms of the series agree with
     * {@code expm1} to one unit in the last place and cost a fraction of it (it was the integral's
     * dearest call).
     */
    static double chance(double h) {
        return h < 1e-5 ? h * (1 - h * (0.5 - h / 6)) : -Math.expm1(-h);
    }
}
