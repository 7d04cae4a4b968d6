package ctfleet.server.fleet;

/**
 * The part of the daily (or weekly) routine two harmonics cannot draw. An office gateway sits at
 * its night level, climbs to its day level within the hour and holds it flat until evening: a
 * square wave; weekdays and weekends are another. Two harmonics bend through it, overshoot its
 * plateau and leave residuals of a tenth of max that recur every day at the same times; read as
 * noise they make a host parked well below max look as if it could touch it any minute, and a
 * crest that is not there; read as drift ({@link Wander}) they make its trend look unsure.
 *
 * <p>What recurs is taken from the residuals themselves: per bin of the cycle (the window's
 * spacing, at least ten minutes), the median of the residuals of every cycle in the window. It is
 * kept only when it explains most of what the fit left — the residuals' robust spread without it
 * at least {@link #GAIN} times their spread with it, each value taken against the median of the
 * other cycles (scaled by √(m/(m−1)) for m cycles in its bin, so two do not look surer than they
 * are) — and only with two cycles of data in most bins. Then it is added to the cycle wherever the
 * forecast reads one: the excursions, the drift, the path ahead and the crest the reason names.
 */
final class CycleProfile {
    static final double MIN_BIN_SECONDS = 600;
    /** The profile must cut the residuals' spread by this factor at least. */
    static final double GAIN = 2;
    /** Without a fitted cycle, a daily profile is looked for once the window holds this many days. */
    static final double UNFITTED_CYCLES = 3;
    /** Bins with values of two days or more must be at least this share of the bins with any. */
    static final double COVERED = 0.8;

    private final double period;
    private final double binSeconds;
    private final double[] profile;
    /** The window's points by bin, kept: the profile is added to them, and their peaks read, by bin. */
    private final Bins bins;
    /** The robust spread of the residuals with the profile taken out, fill units. */
    final double scale;
    /** The lag-1 inflation of the residuals from the fit with the profile, as {@link TrendFit.Noise}'s. */
    final double inflation;

    private CycleProfile(double period, double binSeconds, double[] profile, Bins bins, double scale,
            double inflation) {
        this.period = period;
        this.binSeconds = binSeconds;
        this.profile = profile;
        this.bins = bins;
        this.scale = scale;
        this.inflation = inflation;
    }

    /**
     * The cycle to look for a profile of: the fit's longest, or, when the fit kept none, a day once
     * the window holds {@link #UNFITTED_CYCLES} of them. Weekdays and weekends in a week-long window
     * of hourly buckets leave two harmonics insignificant (their residuals run together for two days
     * at a time), yet every weekday is the same office day; with fewer days, a count that wanders
     * slowly looks much like itself a day later, and only a fitted cycle says there is one.
     *
     * @return seconds, or 0 for none
     */
    static double period(Seasonal fitted, double spanSeconds) {
        if (fitted != null) {
            return fitted.weekly() ? Seasonal.WEEK : Seasonal.DAY;
        }
        return spanSeconds >= UNFITTED_CYCLES * Seasonal.DAY ? Seasonal.DAY : 0;
    }

    /**
     * The profile of the residuals {@code y − fitted} over the points weighted in, or null when it
     * is not worth having (no cycle in the fit, under two of them, or too little explained).
     *
     * @param period  the fit's longest cycle, seconds (a day, or a week); 0 when it has none
     * @param without the fit's own robust spread of those residuals
     */
    static CycleProfile of(Observations o, double[] w, double[] fitted, double period, double without) {
        if (!(period > 0) || o.spanSeconds() < 1.5 * period) {
            return null;
        }
        double bin = Math.max(MIN_BIN_SECONDS, o.spacing);
        Bins bins = new Bins(o, w, period, bin);
        if (bins.twice < COVERED * bins.any) {
            return null;
        }
        double[] residual = new double[o.n];
        for (int i = 0; i < o.n; i++) {
            residual[i] = o.y[i] - fitted[i];
        }
        double[] profile = bins.medians(residual);
        for (int b = 0; b < profile.length; b++) {
            // Not centred: when the usual day sits above the line (five office days, two quiet ones),
            // the level at this time of day is the line plus the usual residual, not plus less.
            profile[b] = Double.isNaN(profile[b]) ? 0 : profile[b];
        }
        double[] left = new double[o.n];
        double[] withProfile = fitted.clone();
        int m = 0;
        for (int i = 0; i < o.n; i++) {
            int c = bins.count[bins.of[i]];
            if (w[i] > 0 && c > 1) {
                left[m++] = (residual[i] - profile[bins.of[i]]) * Math.sqrt(c / (c - 1.0));
                withProfile[i] += profile[bins.of[i]];
            }
        }
        double with = Medians.madInPlace(left, m);
        if (!(with * GAIN <= without)) {
            return null;
        }
        return new CycleProfile(period, bin, profile, bins, with, TrendFit.Noise.inflation(o, w, withProfile));
    }

    /**
     * What each point's peak is measured against for excursions: {@code withProfile} plus the part
     * of the peaks' excess over their averages that recurs in the point's bin beyond its typical
     * size. A bucket that holds the morning climb averages halfway up while its highest sample is
     * already at the day level; every morning. That is the routine too, not a burst.
     *
     * @param withProfile the fit with this profile added ({@link #addTo}), for the window it was made from
     */
    double[] peakBaseline(Observations o, double[] withProfile) {
        double[] excess = new double[o.n];
        for (int i = 0; i < o.n; i++) {
            excess[i] = o.peak[i] - withProfile[i];
        }
        double[] byBin = bins.medians(excess);
        double[] seen = new double[byBin.length];
        int m = 0;
        for (double e : byBin) {
            if (!Double.isNaN(e)) {
                seen[m++] = e;
            }
        }
        double typical = Medians.median(seen, m);
        double[] out = withProfile.clone();
        for (int i = 0; i < o.n; i++) {
            double e = byBin[bins.of[i]];
            if (!Double.isNaN(e)) {
                out[i] += Math.max(0, e - typical);
            }
        }
        return out;
    }

    /** The window's points by bin of the cycle: the bin of each, and how many weighted-in points each bin has. */
    private static final class Bins {
        final int[] of;
        final int[] count;
        final int any;
        final int twice;
        private final double[] w;

        Bins(Observations o, double[] w, double period, double bin) {
            this.w = w;
            int bins = (int) Math.ceil(period / bin);
            of = new int[o.n];
            count = new int[bins];
            for (int i = 0; i < o.n; i++) {
                of[i] = bin(o.nowSeconds + o.x[i] * Observations.DAY, period, bin, bins);
                if (w[i] > 0) {
                    count[of[i]]++;
                }
            }
            int a = 0;
            int t = 0;
            for (int c : count) {
                a += c > 0 ? 1 : 0;
                t += c > 1 ? 1 : 0;
            }
            any = a;
            twice = t;
        }

        /** Each bin's median of {@code v} over the weighted-in points; NaN for a bin with fewer than two. */
        double[] medians(double[] v) {
            int[] start = new int[count.length + 1];
            for (int b = 0; b < count.length; b++) {
                start[b + 1] = start[b] + count[b];
            }
            double[] grouped = new double[start[count.length]];
            int[] next = start.clone();
            for (int i = 0; i < of.length; i++) {
                if (w[i] > 0) {
                    grouped[next[of[i]]++] = v[i];
                }
            }
            double[] out = new double[count.length];
            double[] buf = new double[grouped.length];
            for (int b = 0; b < count.length; b++) {
                if (count[b] > 1) {
                    System.arraycopy(grouped, start[b], buf, 0, count[b]);
                    out[b] = Medians.median(buf, count[b]);
                } else {
                    out[b] = Double.NaN;
                }
            }
            return out;
        }
    }

    private static int bin(double tSeconds, double period, double bin, int bins) {
        double tod = tSeconds % period;
        if (tod < 0) {
            tod += period;
        }
        // A hair over, so a bucket stamped on a bin's edge does not fall into the bin before by rounding.
        return Math.min(bins - 1, (int) (tod / bin + 1e-6));
    }

    /** The profile at an absolute time, fill units. */
    double at(double tSeconds) {
        return profile[bin(tSeconds, period, binSeconds, profile.length)];
    }

    /** The profile at point {@code i} of the window it was made from. */
    double atPoint(int i) {
        return profile[bins.of[i]];
    }

    /** {@code fitted} (the window it was made from) with the profile added at each point. */
    double[] addTo(double[] fitted) {
        double[] out = fitted.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += atPoint(i);
        }
        return out;
    }
}
