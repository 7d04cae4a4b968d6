package ctfleet.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Pure aggregation of raw samples into buckets, and of small buckets into larger ones. */
public final class Rollups {
    public static final long MINUTE = 60_000;
    public static final long HOUR = 3_600_000;

    private Rollups() {}

    public static long floor(long ts, long bucketMillis) {
        return Math.floorDiv(ts, bucketMillis) * bucketMillis;
    }

    /**
     * Buckets of {@code rows} (oldest first). {@code before} is the sample preceding the first row,
     * when known: the first row's increase is measured from it; without it the first row adds none.
     */
    public static List<Bucket> ofRaw(Optional<Counters> before, List<RawPoint> rows, long bucketMillis) {
        List<Bucket> out = new ArrayList<>();
        Counters prev = before.orElse(null);
        Acc acc = null;
        for (RawPoint r : rows) {
            long start = floor(r.ts(), bucketMillis);
            if (acc == null || acc.ts != start) {
                if (acc != null) {
                    out.add(acc.bucket());
                }
                acc = new Acc(start);
            }
            Counters inc = prev == null ? new Counters(r.counters().boot(), 0, 0, 0, 0) : r.counters().since(prev);
            acc.add(r, inc);
            prev = r.counters();
        }
        if (acc != null) {
            out.add(acc.bucket());
        }
        return out;
    }

    /** One bucket starting at {@code ts} from smaller ones (oldest first, at least one). */
    public static Bucket merge(long ts, List<Bucket> parts) {
        int n = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long sum = 0;
        long maxMax = 0;
        double fill = Double.NaN;
        long drop = 0;
        long early = 0;
        long failed = 0;
        long invalid = 0;
        for (Bucket b : parts) {
            n += b.n();
            min = Math.min(min, b.countMin());
            max = Math.max(max, b.countMax());
            sum += b.countSum();
            maxMax = Math.max(maxMax, b.maxMax());
            if (b.fillMax().isPresent()) {
                fill = Double.isNaN(fill) ? b.fillMax().getAsDouble() : Math.max(fill, b.fillMax().getAsDouble());
            }
            drop += b.increases().drop();
            early += b.increases().earlyDrop();
            failed += b.increases().insertFailed();
            invalid += b.increases().invalid();
        }
        Bucket last = parts.get(parts.size() - 1);
        return new Bucket(ts, n, min, max, sum, maxMax, Double.isNaN(fill) ? OptionalDouble.empty() : OptionalDouble.of(fill),
                new Counters(last.last().boot(), drop, early, failed, invalid), last.lastTs(), last.last());
    }

    private static final class Acc {
        final long ts;
        int n;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long sum;
        long maxMax;
        double fill = Double.NaN;
        long drop;
        long early;
        long failed;
        long invalid;
        RawPoint last;

        Acc(long ts) {
            this.ts = ts;
        }

        void add(RawPoint r, Counters inc) {
            n++;
            min = Math.min(min, r.count());
            max = Math.max(max, r.count());
            sum += r.count();
            maxMax = Math.max(maxMax, r.max());
            if (!Double.isNaN(r.fill())) {
                fill = Double.isNaN(fill) ? r.fill() : Math.max(fill, r.fill());
            }
            drop += inc.drop();
            early += inc.earlyDrop();
            failed += inc.insertFailed();
            invalid += inc.invalid();
            last = r;
        }

        Bucket bucket() {
            return new Bucket(ts, n, min, max, sum, maxMax,
                    Double.isNaN(fill) ? OptionalDouble.empty() : OptionalDouble.of(fill),
                    new Counters(last.counters().boot(), drop, early, failed, invalid), last.ts(), last.counters());
        }
    }
}
