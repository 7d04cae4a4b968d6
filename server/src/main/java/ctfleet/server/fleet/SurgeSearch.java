package ctfleet.server.fleet;

/**
 * A rise in the newest hour that the regime's trend does not explain: a connection storm or a ramp
 * that began minutes ago is diluted to nothing in a day-long fit, and is too young to be a regime
 * of its own.
 *
 * <p>A line is fitted through the newest stretch of de-seasoned counts, for stretches of the last
 * 60, 40, 28, 20, 14, 10, 7 and 5 minutes (at least {@link #MIN_POINTS} points each). A stretch is
 * a surge when its slope rises at least {@link #MIN_PER_HOUR} of max per hour and beats the
 * regime's slope by {@link #T} standard errors (inflated for the residuals' autocorrelation);
 * of the surges, the one that beats it by the most is kept. Why several stretches: a ramp that
 * began 15 minutes ago bends a line through the whole hour into a hockey stick whose residuals run
 * together, so the hour alone read a 33 %/h ramp as 2 standard errors; the line through the ramp
 * alone does not bend.
 *
 * <p>A stretch shorter than the hour must also pass four checks, because over a few minutes
 * noise, or one swing of a short cycle, can look like a line with small residuals:
 * <ul>
 *   <li>its level now is above the median of the hour's points before it by at least
 *       {@link #RISE_SCALES} noise scales and {@link #MIN_RISE} of max — measured from the hour's
 *       level, not from the stretch's own start, which may be a dip; the noise scale is the larger
 *       of the regime's (of 10-minute averages) and the hour's step-to-step noise (raw samples
 *       carry more than their averages);
 *   <li>it does not bend down ({@link #BEND_T}): a step that has landed on its new level and a
 *       burst near its crest both overshoot a line drawn through them;
 *   <li>no reboot in the hour: a table refilling climbs as steeply as any storm;
 *   <li>the hour before it never held its newest count ({@link #reachedBefore}): a climb back to
 *       where the host fell from minutes ago is a swing.
 * </ul>
 * Any stretch the window's buckets can measure (20 minutes or more) must also beat the regime's
 * slope by {@link #T} times the host's own drift over stretches that long ({@link Wander}): an
 * error bar from one hour's residuals is too narrow for counts that wander. And a stretch is no
 * surge when the host rose at least half as much over the same clock times the day (or week)
 * before or after ({@link Recurrence}): an office opening is steep and abrupt every morning, and
 * ends.
 */
final class SurgeSearch {
    /** The stretches, seconds: an hour, then shorter by about √2 down to 5 minutes. */
    private static final double[] SPANS = {3600, 2400, 1680, 1200, 840, 600, 420, 300};
    static final int MIN_POINTS = 6;
    /** A surge must beat the regime's slope by this many standard errors, ... */
    static final double T = 3;
    /** ... and rise at least this much of max per hour, and this much faster than the regime. */
    static final double MIN_PER_HOUR = 0.03;
    /** A stretch shorter than the hour rises this many noise scales above the hour before it, ... */
    static final double RISE_SCALES = 6;
    /** ... and this much of max. */
    static final double MIN_RISE = 0.05;
    /** A parabola's x² term this many standard errors below zero: the stretch is levelling off. */
    static final double BEND_T = 2;

    private SurgeSearch() {}

    /**
     * @param z the de-seasoned counts and {@code w} their weights; both null for raw samples, which
     *     are de-seasoned here with {@code fit}'s cycle
     * @param wander how fast the host's count drifted off its trend before (from the whole window)
     * @return the surge, or null when there is none
     */
    static TrendPosterior.Surge find(Observations o, double[] z, double[] w, TrendFit fit, CycleProfile profile,
            double regimeSlope, Wander wander, Recurrence routine) {
        if (z == null) {
            z = new double[o.n];
            w = new double[o.n];
            for (int i = 0; i < o.n; i++) {
                if (o.rebootBefore(i)) {
                    return null;
                }
                z[i] = o.y[i] - cycle(fit, profile, o.nowSeconds + o.x[i] * Observations.DAY);
                w[i] = o.censored[i] ? 0 : 1;
            }
        }
        double scale = Double.NaN;
        TrendPosterior.Surge best = null;
        double bestT = 0;
        for (int s = 0; s < SPANS.length; s++) {
            double from = -SPANS[s] / Observations.DAY;
            int first = firstFrom(o, from);
            Line line = Line.fit(o, z, w, first);
            if (line == null) {
                continue;
            }
            double excess = line.slope - regimeSlope;
            if (line.slope / 24 < MIN_PER_HOUR || excess < Math.max(T * line.slopeSd, MIN_PER_HOUR * 24)) {
                continue;
            }
            if (s > 0) {
                if (Double.isNaN(scale)) {
                    double fitScale = profile == null ? fit.residualScale : profile.scale;
                    scale = Math.max(Math.max(fitScale, Excursions.MIN_SCALE), stepNoise(o, w));
                }
                if (line.level - hourBefore(o, z, w, first) < Math.max(RISE_SCALES * scale, MIN_RISE)
                        || bends(o, z, w, first, from) || reachedBefore(o, z, w, first, scale)) {
                    continue;
                }
            }
            double drift = wander.slopeSd(line.since);
            if (excess < T * drift) {
                continue; // this host has drifted this fast before, and turned
            }
            if (routine.recurs(-line.since / Observations.DAY, 0, line.slope * line.since / Observations.DAY)) {
                continue; // it climbed like this at this time the day before or after: its morning
            }
            double t = excess / line.slopeSd;
            if (best == null || t > bestT) {
                bestT = t;
                best = new TrendPosterior.Surge(line.level + cycle(fit, profile, o.nowSeconds), line.levelSd,
                        line.slope, line.slopeSd, Math.max(line.since, o.spacing));
            }
        }
        return best;
    }

    /** The fitted cycle at an absolute time, with its profile when there is one. */
    private static double cycle(TrendFit fit, CycleProfile profile, double tSeconds) {
        return fit.season(tSeconds) + (profile == null ? 0 : profile.at(tSeconds));
    }

    /** The index of the oldest point at or after {@code from} (days from now); n when none. */
    private static int firstFrom(Observations o, double from) {
        int i = o.n;
        while (i > 0 && o.x[i - 1] >= from) {
            i--;
        }
        return i;
    }

    /**
     * The noise of one point from the newest hour's steps between neighbours (their MAD as a
     * normal's σ, over √2): a ramp moves each step by little, a jumpy sample by a lot.
     */
    private static double stepNoise(Observations o, double[] w) {
        int first = firstFrom(o, -SPANS[0] / Observations.DAY);
        double[] steps = new double[o.n];
        int k = 0;
        for (int i = first + 1; i < o.n; i++) {
            if (w[i] > 0 && w[i - 1] > 0) {
                steps[k++] = o.y[i] - o.y[i - 1];
            }
        }
        return k < MIN_POINTS ? 0 : Medians.madInPlace(steps, k) / Math.sqrt(2);
    }

    /** The median of the newest hour's points before index {@code first}; +∞ with too few to tell. */
    private static double hourBefore(Observations o, double[] z, double[] w, int first) {
        int hour = firstFrom(o, -SPANS[0] / Observations.DAY);
        double[] v = new double[Math.max(0, first - hour)];
        int k = 0;
        for (int i = hour; i < first; i++) {
            if (w[i] > 0) {
                v[k++] = z[i];
            }
        }
        return k < MIN_POINTS ? Double.POSITIVE_INFINITY : Medians.median(v, k);
    }

    /**
     * Whether the newest hour, before index {@code first}, already held the stretch's newest count
     * (within two noise scales): then the stretch climbs back to where the host was minutes ago
     * and fell from, a swing of a cycle shorter than the hour (a job every ten minutes), which the
     * excursions weigh; a storm climbs where the hour has not been.
     */
    private static boolean reachedBefore(Observations o, double[] z, double[] w, int first, double scale) {
        int newest = o.n - 1;
        while (newest >= first && w[newest] <= 0) {
            newest--;
        }
        if (newest < first) {
            return false;
        }
        double level = z[newest] - 2 * scale;
        for (int i = firstFrom(o, -SPANS[0] / Observations.DAY); i < first; i++) {
            if (w[i] > 0 && z[i] >= level) {
                return true;
            }
        }
        return false;
    }

    private static boolean bends(Observations o, double[] z, double[] w, int first, double from) {
        LeastSquares ls = new LeastSquares(3);
        double[] row = {1, 0, 0};
        for (int i = first; i < o.n; i++) {
            if (w[i] > 0) {
                // In units of the stretch, so x² stays near one.
                double u = o.x[i] / -from;
                row[1] = u;
                row[2] = u * u;
                ls.add(row, z[i]);
            }
        }
        LeastSquares.Fit f = ls.solve();
        return f != null && f.beta()[2] < -BEND_T * f.standardError()[2];
    }

    /** A line through points {@code first..n}: level now and slope per day, errors inflated for autocorrelation. */
    private record Line(double level, double levelSd, double slope, double slopeSd, double since) {
        static Line fit(Observations o, double[] z, double[] w, int first) {
            LeastSquares ls = new LeastSquares(2);
            double[] row = {1, 0};
            int count = 0;
            int used = -1;
            for (int i = first; i < o.n; i++) {
                if (w[i] > 0) {
                    row[1] = o.x[i];
                    ls.add(row, z[i]);
                    count++;
                    used = used < 0 ? i : used;
                }
            }
            if (count < MIN_POINTS) {
                return null;
            }
            LeastSquares.Fit f = ls.solve();
            if (f == null) {
                return null;
            }
            double b = f.beta()[1];
            double num = 0;
            double den = 0;
            double prev = Double.NaN;
            for (int i = used; i < o.n; i++) {
                if (w[i] <= 0) {
                    continue;
                }
                double r = z[i] - f.beta()[0] - b * o.x[i];
                den += r * r;
                if (!Double.isNaN(prev)) {
                    num += r * prev;
                }
                prev = r;
            }
            double kappa = TrendFit.Noise.inflation(num, den);
            double since = (o.x[o.n - 1] - o.x[used]) * Observations.DAY;
            return new Line(f.beta()[0], f.standardError()[0] * Math.sqrt(kappa), b,
                    f.standardError()[1] * Math.sqrt(kappa), since);
        }
    }
}
