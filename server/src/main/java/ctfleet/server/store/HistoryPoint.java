package ctfleet.server.store;

import java.util.OptionalDouble;

/**
 * One point of a host's history at some resolution.
 *
 * @param ts             the raw sample's time, or the bucket's start
 * @param lastTs         the newest raw sample's time: {@code ts} for a raw point, the bucket's last
 *                       sample for a rollup; where its increases end
 * @param durationMillis the time its increases cover, ending at {@code lastTs}: for a raw sample the
 *                       time since the previous one (0 for the first sample known); for a rollup the
 *                       time since the previous bucket's last sample, because its first sample's
 *                       increase is counted from there. Not the bucket's width: an agent sampling
 *                       every 10 minutes puts one sample, and 10 minutes of increase, in a 1-minute
 *                       bucket, and the current hour's bucket covers only the part of it gone by
 * @param samples        raw samples behind this point (1 for a raw point)
 * @param count          ct_count; the average over the bucket for a rollup
 * @param max            nf_conntrack_max (the largest one in a bucket); 0 means no limit
 * @param fill           count / max (the largest in a bucket); empty without a limit
 * @param increases      counter increases during {@code durationMillis}, wrap- and reboot-aware
 */
public record HistoryPoint(long ts, long lastTs, long durationMillis, int samples, double count, long countMin, long countMax,
                           long max, OptionalDouble fill, Counters increases) {

    /**
     * @param previousLastTs the previous bucket's last sample (same table), or {@link Long#MIN_VALUE}
     *                       when there is none: then the bucket is taken from its start, at least the
     *                       time its own samples span
     */
    static HistoryPoint of(Bucket b, long previousLastTs) {
        long from = previousLastTs == Long.MIN_VALUE ? b.ts() : previousLastTs;
        return new HistoryPoint(b.ts(), b.lastTs(), Math.max(0, b.lastTs() - from), b.n(), b.countAvg(), b.countMin(), b.countMax(), b.maxMax(),
                b.fillMax(), b.increases());
    }

    static HistoryPoint of(RawPoint r, RawPoint previous) {
        double fill = r.fill();
        Counters inc = previous == null ? new Counters(r.counters().boot(), 0, 0, 0, 0)
                : r.counters().since(previous.counters());
        return new HistoryPoint(r.ts(), r.ts(), previous == null ? 0 : r.ts() - previous.ts(), 1, r.count(), r.count(),
                r.count(), r.max(), Double.isNaN(fill) ? OptionalDouble.empty() : OptionalDouble.of(fill), inc);
    }

    /** Per second over the time the increases cover; 0 when that is not known (a first point). */
    public double perSecond(long increase) {
        return durationMillis > 0 ? increase / (durationMillis / 1000.0) : 0;
    }
}
