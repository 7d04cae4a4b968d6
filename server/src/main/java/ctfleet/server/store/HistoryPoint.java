package ctfleet.server.store;

import java.util.OptionalDouble;

/**
 * One point of a host's history at some resolution.
 *
 * @param ts             the raw sample's time, or the bucket's start
 * @param durationMillis time this point covers: the bucket length, or for a raw sample the time
 *                       since the previous one (0 for the first sample known)
 * @param samples        raw samples behind this point (1 for a raw point)
 * @param count          ct_count; the average over the bucket for a rollup
 * @param max            nf_conntrack_max (the largest one in a bucket); 0 means no limit
 * @param fill           count / max (the largest in a bucket); empty without a limit
 * @param increases      counter increases during {@code durationMillis}, wrap- and reboot-aware
 */
public record HistoryPoint(long ts, long durationMillis, int samples, double count, long countMin, long countMax,
                           long max, OptionalDouble fill, Counters increases) {

    static HistoryPoint of(Bucket b, long bucketMillis) {
        return new HistoryPoint(b.ts(), bucketMillis, b.n(), b.countAvg(), b.countMin(), b.countMax(), b.maxMax(),
                b.fillMax(), b.increases());
    }

    static HistoryPoint of(RawPoint r, RawPoint previous) {
        double fill = r.fill();
        Counters inc = previous == null ? new Counters(r.counters().boot(), 0, 0, 0, 0)
                : r.counters().since(previous.counters());
        return new HistoryPoint(r.ts(), previous == null ? 0 : r.ts() - previous.ts(), 1, r.count(), r.count(),
                r.count(), r.max(), Double.isNaN(fill) ? OptionalDouble.empty() : OptionalDouble.of(fill), inc);
    }
}
