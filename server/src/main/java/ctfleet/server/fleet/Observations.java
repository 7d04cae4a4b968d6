package ctfleet.server.fleet;

import java.time.Instant;
import java.util.List;

/**
 * A host's window as the forecaster reads it: parallel arrays in fill units (count / the newest
 * max), time in days before the query instant, so every fit is small numbers around zero.
 */
final class Observations {
    static final double DAY = 86_400;

    final int n;
    final double nowSeconds;
    /** Days from now: negative in the past. */
    final double[] x;
    /** The count (a bucket's average) in fill units. */
    final double[] y;
    /** The highest count of the point (the count itself for a raw sample), fill units. */
    final double[] peak;
    /** The point reached its own limit: the kernel clamps the count there, so it only says "at least". */
    final boolean[] censored;
    final int[] boot;
    /** The point stands for more than one sample (a bucket): the first of a new boot also holds the last of the old. */
    final boolean[] aggregate;
    /** The median time between points, seconds. */
    final double spacing;
    final long max;
    /**
     * The newest point whose own max differs from the point before's (an operator's sysctl, or a
     * reboot that lost one), or -1; {@link #maxBefore} and {@link #maxAfter} are the max either side.
     * Counts are divided by the newest max throughout, so a change leaves no step in them: the
     * reason has to say it.
     */
    final int maxChangedAt;
    final long maxBefore;
    final long maxAfter;

    private Observations(List<CountPoint> points, Instant now, long max) {
        this.n = points.size();
        this.max = max;
        this.nowSeconds = seconds(now);
        x = new double[n];
        y = new double[n];
        peak = new double[n];
        censored = new boolean[n];
        boot = new int[n];
        aggregate = new boolean[n];
        double scale = 1.0 / max;
        int changed = -1;
        long before = 0;
        long after = 0;
        if (points instanceof CountSeries s) {
            // The in-memory tails' form: straight from the arrays, no point objects.
            long nowMillis = now.toEpochMilli();
            for (int i = 0; i < n; i++) {
                long c = s.count(i);
                long top = Math.max(s.peak(i), c);
                x[i] = (s.tsMillis(i) - nowMillis) / (DAY * 1000);
                y[i] = c * scale;
                peak[i] = top * scale;
                censored[i] = s.max(i) > 0 && top >= s.max(i);
                boot[i] = s.boot(i);
                aggregate[i] = s.samples(i) > 1;
                if (i > 0 && s.max(i) > 0 && s.max(i - 1) > 0 && s.max(i) != s.max(i - 1)) {
                    changed = i;
                    before = s.max(i - 1);
                    after = s.max(i);
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                CountPoint p = points.get(i);
                x[i] = (seconds(p.ts()) - nowSeconds) / DAY;
                y[i] = p.count() * scale;
                peak[i] = Math.max(p.peak(), p.count()) * scale;
                censored[i] = p.max() > 0 && Math.max(p.peak(), p.count()) >= p.max();
                boot[i] = p.boot();
                aggregate[i] = p.samples() > 1;
                long previous = i > 0 ? points.get(i - 1).max() : 0;
                if (p.max() > 0 && previous > 0 && p.max() != previous) {
                    changed = i;
                    before = previous;
                    after = p.max();
                }
            }
        }
        maxChangedAt = changed;
        maxBefore = before;
        maxAfter = after;
        // Buckets and an agent's samples are mostly evenly spaced: then the median is any gap, and
        // the gaps need no array of their own.
        double firstGap = n < 2 ? 0 : (x[1] - x[0]) * DAY;
        boolean even = true;
        for (int i = 2; i < n && even; i++) {
            even = (x[i] - x[i - 1]) * DAY == firstGap;
        }
        if (n < 2 || even) {
            spacing = firstGap;
        } else {
            double[] gaps = new double[n - 1];
            for (int i = 1; i < n; i++) {
                gaps[i - 1] = (x[i] - x[i - 1]) * DAY;
            }
            spacing = Medians.median(gaps, gaps.length);
        }
    }

    /** Points with a positive max only; the caller checks {@code max > 0}. */
    static Observations of(List<CountPoint> points, Instant now, long max) {
        return new Observations(points, now, max);
    }

    /**
     * Where a raise of max let out a table the kernel held at the old max ({@link #maxChangedAt}),
     * or -1. What demand did while clamped is unknown, so the count after the raise is no step from
     * the count before the clamp: it is the first sight of demand since.
     */
    int raisedOffMax() {
        return maxChangedAt > 0 && maxAfter > maxBefore && censored[maxChangedAt - 1] ? maxChangedAt : -1;
    }

    /** Seconds from the first to the last point. */
    double spanSeconds() {
        return n < 2 ? 0 : (x[n - 1] - x[0]) * DAY;
    }

    /** Consecutive points too far apart to be one stretch of observation (an outage, a gap in an import). */
    boolean gapBefore(int i) {
        return i == 0 || (x[i] - x[i - 1]) * DAY > 3 * spacing + 1;
    }

    /**
     * A different known boot of the same kind (agent or imported) than the point before: the table
     * restarted empty. An imported boot id next to an agent's may well be the same boot.
     */
    boolean rebootBefore(int i) {
        return i > 0 && BootChange.between(boot[i - 1], boot[i]) == BootChange.REBOOT;
    }

    static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
