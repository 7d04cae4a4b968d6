package ctfleet.server.fleet;

/**
 * Whether a rise (or fall) happened at the same time of day the day before or after, or of the
 * week a week before or after: then it is the host's routine, not a change. Offices open at eight
 * and the count climbs to its day level within the hour; a nightly batch opens thousands of flows
 * at two. Seen at 10-minute buckets such a climb is as abrupt as a failover, and in the last
 * hour's samples it is as steep as a storm, yet tomorrow it does the same and no more: a level
 * shift or a surge it is not. The day after counts too: the oldest day of a two-day window has no
 * day before it, and its evening fall is this evening's as well.
 *
 * <p>The earlier (or later) rise is measured between the counts around the same clock times a
 * period away, shifted by up to {@link #SLACK_SECONDS} either way (a routine starts a little
 * earlier or later from day to day, and daylight saving moves it by an hour); each end is the
 * median of the fitted points within {@link #HALF_SECONDS} (at least a bucket) of it.
 */
final class Recurrence {
    /** A day and a week before, and after, in days. */
    static final double[] PERIODS = {1, -1, 7, -7};
    static final double SLACK_SECONDS = 3600;
    private static final double SHIFT_STEP_SECONDS = 1200;
    static final double HALF_SECONDS = 300;
    /** The earlier rise must be at least this share of the one judged. */
    static final double SHARE = 0.5;

    private final Observations o;
    private final double[] w;
    private final double half;
    /** Made on first use: most hosts have no step or surge to judge. */
    private double[] buf;

    private Recurrence(Observations o, double[] w) {
        this.o = o;
        this.w = w;
        // At least one point of the window's own spacing on each end.
        this.half = Math.max(HALF_SECONDS, 0.6 * o.spacing) / Observations.DAY;
    }

    /** @param w the window's weights (0 for points left out of fits: clamped, refilling) */
    static Recurrence of(Observations o, double[] w) {
        return new Recurrence(o, w);
    }

    /**
     * Whether the count moved by at least {@link #SHARE} of {@code change} (fill; positive a rise,
     * negative a fall) from around {@code from} to around {@code to} (days from now) a day or a week
     * earlier or later.
     */
    boolean recurs(double from, double to, double change) {
        if (change == 0 || !(o.n > 0)) {
            return false;
        }
        double sign = Math.signum(change);
        double need = SHARE * Math.abs(change);
        for (double period : PERIODS) {
            double slack = SLACK_SECONDS / Observations.DAY;
            if (to - period + slack + half < o.x[0] || from - period - slack - half > o.x[o.n - 1]) {
                continue; // the window does not reach that far
            }
            for (double shift = -SLACK_SECONDS; shift <= SLACK_SECONDS; shift += SHIFT_STEP_SECONDS) {
                double d = shift / Observations.DAY - period;
                double a = levelAt(from + d);
                double b = levelAt(to + d);
                if (sign * (b - a) >= need) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The median count of the fitted points within {@link #half} of {@code at}; NaN when none. */
    private double levelAt(double at) {
        int lo = lowerBound(at - half);
        if (buf == null) {
            buf = new double[o.n];
        }
        int k = 0;
        for (int i = lo; i < o.n && o.x[i] <= at + half; i++) {
            if (w[i] > 0) {
                buf[k++] = o.y[i];
            }
        }
        return Medians.median(buf, k);
    }

    private int lowerBound(double x) {
        int lo = 0;
        int hi = o.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (o.x[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
