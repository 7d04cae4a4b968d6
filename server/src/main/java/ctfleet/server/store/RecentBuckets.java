package ctfleet.server.store;

import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.CountSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each host's last two days in memory as 10-minute buckets: what the forecast reads on every Top
 * call, host view and /metrics scrape. Two days of raw samples are 17,280 rows per host at the
 * agent's 10 s; a bucket carries what the forecast needs of its samples (how many, their sum, the
 * peak, the limit, the last boot) and the counters' increases, so a call copies about 290 buckets
 * per host out of arrays instead of reading the database.
 *
 * <p>A cache, never a source, kept honest the way {@link RecentRaw} is: a host's tail starts as one
 * read of its 1-minute rollups plus the raw rows after the newest rollup, is extended by this
 * server's own commits ({@link SampleListener}), is read again when it is behind the host's newest
 * time in {@code host_latest} (another server wrote it), when an import changed the host's rows,
 * and after 30 to 40 minutes whatever the checks say.
 *
 * <p>A sample older than the newest one (a replay after an outage) is counted in its bucket; its
 * counter increase is not split between its neighbours until the tail is read again, so rates over
 * a window can be off by that sample's share for at most 40 minutes.
 */
public final class RecentBuckets implements SampleListener {
    public static final RecentBuckets NONE = new RecentBuckets(Duration.ZERO);
    public static final long WIDTH = ctfleet.server.fleet.CountBuckets.BUCKET.toMillis();
    static final long MAX_AGE_MILLIS = RecentRaw.MAX_AGE_MILLIS;
    static final long MAX_AGE_SPREAD_MILLIS = RecentRaw.MAX_AGE_SPREAD_MILLIS;
    /** Beyond the span: agents' clocks ahead of ours, and the bucket still filling. */
    private static final int SLACK_BUCKETS = 12;

    private final long spanMillis;
    private final int capacity;
    private final ConcurrentHashMap<Long, Tail> tails = new ConcurrentHashMap<>();

    /** @param span the longest context served from memory */
    public RecentBuckets(Duration span) {
        this.spanMillis = span.toMillis();
        this.capacity = span.isZero() ? 0 : (int) (spanMillis / WIDTH) + SLACK_BUCKETS;
    }

    /** Whether a context starting at {@code from} is served from here at {@code now}. */
    boolean serves(long from, long now) {
        return capacity > 0 && now - from <= spanMillis + WIDTH;
    }

    @Override
    public void stored(long hostRef, RawPoint p) {
        Tail t = tails.get(hostRef);
        if (t != null) {
            t.add(p);
        }
    }

    @Override
    public void forget(long hostRef) {
        tails.remove(hostRef);
    }

    /**
     * One host's buckets as the forecast and the ranking read them.
     *
     * @param points    the buckets from the context's start, oldest first (see {@link CountPoint})
     * @param increases the counters' increases over the rate window (boot: the newest bucket's)
     * @param recent    the increases over the recent part of it (dropping now): the buckets whose
     *                  last sample is after the newest sample's time less {@code recentMillis}
     * @param rateFrom  where the rate window's increases really begin: the newest sample before its
     *                  first bucket (the first increase is counted from it), else that bucket's first sample
     * @param recentFrom where the recent increases really begin: the last sample of the newest bucket
     *                  that ends at or before the newest sample's time less {@code recentMillis} (at
     *                  least {@code rateFrom}), so that they cover that span and no more: an agent
     *                  sampling every 10 minutes has one 10-minute increase in it, not two
     * @param rateTo    the newest sample's time: where the increases end
     * @param interval  the median time between samples, ms (0: unknown): per bucket, the time since the
     *                  previous bucket's last sample over its samples (an agent sampling every 10
     *                  minutes has one sample per bucket, and 10 minutes between them)
     */
    public record Window(List<CountPoint> points, Counters increases, Counters recent, long rateFrom, long recentFrom,
            long rateTo, long interval) {}

    /** The host's window, or null when the tail is missing, behind {@code latestTs}, too old or too short. */
    Window window(long hostRef, long from, long rateFrom, long recentMillis, long to, long latestTs, long now) {
        Tail t = tails.get(hostRef);
        return t == null ? null : t.window(from, rateFrom, recentMillis, to, latestTs, now);
    }

    /**
     * A fresh tail from a database read made after the host's newest time was {@code latestTs}:
     * {@code minutes} are its 1-minute rollups from {@code from} on, {@code raw} its raw rows after
     * the newest of them, {@code before} the raw counters just before the first raw row (the newest
     * rollup's last sample), or null.
     */
    Window loaded(long hostRef, long from, long rateFrom, long recentMillis, long to, long latestTs, long now,
            List<Bucket> minutes, List<RawPoint> raw) {
        long spread = Math.floorMod(hostRef * 7_919_000L, MAX_AGE_SPREAD_MILLIS);
        Tail t = new Tail(capacity == 0 ? (int) ((to - from) / WIDTH) + SLACK_BUCKETS : capacity,
                Math.floorDiv(from, WIDTH) * WIDTH, latestTs, now + MAX_AGE_MILLIS + spread);
        for (Bucket m : minutes) {
            t.addMinute(m);
        }
        for (RawPoint r : raw) {
            t.add(r);
        }
        if (capacity > 0) {
            tails.put(hostRef, t);
        }
        return t.window(from, rateFrom, recentMillis, to, latestTs, now);
    }

    /** One host's buckets in a ring indexed by bucket number modulo the capacity. */
    private static final class Tail {
        private final int cap;
        private final long expires;
        private long coveredFrom;
        private long latestSeen;
        private long newest = Long.MIN_VALUE;
        private final long[] id;
        private final int[] n;
        private final long[] sum;
        private final long[] peak;
        private final long[] limit;
        private final long[] lastTs;
        private final long[] firstTs;
        private final int[] boot;
        /** drop, early_drop, insert_failed, invalid increases: 4 per bucket. */
        private final long[] inc;
        private Counters lastCounters;
        private long lastCountersTs = Long.MIN_VALUE;

        Tail(int cap, long coveredFrom, long latestSeen, long expires) {
            this.cap = cap;
            this.coveredFrom = coveredFrom;
            this.latestSeen = latestSeen;
            this.expires = expires;
            id = new long[cap];
            java.util.Arrays.fill(id, Long.MIN_VALUE);
            n = new int[cap];
            sum = new long[cap];
            peak = new long[cap];
            limit = new long[cap];
            lastTs = new long[cap];
            firstTs = new long[cap];
            boot = new int[cap];
            inc = new long[4 * cap];
        }

        /** The slot of bucket b, made current (emptied if it held an older bucket); -1 when b is too old to keep. */
        private int slot(long b) {
            if (b > newest) {
                for (long k = Math.max(newest + 1, b - cap + 1); k <= b; k++) {
                    int s = (int) Math.floorMod(k, (long) cap);
                    id[s] = k;
                    n[s] = 0;
                    sum[s] = 0;
                    peak[s] = 0;
                    limit[s] = 0;
                    lastTs[s] = Long.MIN_VALUE;
                    firstTs[s] = Long.MAX_VALUE;
                    boot[s] = 0;
                    java.util.Arrays.fill(inc, 4 * s, 4 * s + 4, 0);
                }
                newest = b;
                coveredFrom = Math.max(coveredFrom, (b - cap + 1) * WIDTH);
            }
            if (b <= newest - cap || b * WIDTH < coveredFrom) {
                return -1;
            }
            return (int) Math.floorMod(b, (long) cap);
        }

        synchronized void add(RawPoint p) {
            latestSeen = Math.max(latestSeen, p.ts());
            int s = slot(Math.floorDiv(p.ts(), WIDTH));
            if (s < 0) {
                return;
            }
            n[s]++;
            sum[s] += p.count();
            firstTs[s] = Math.min(firstTs[s], p.ts());
            peak[s] = n[s] == 1 ? p.count() : Math.max(peak[s], p.count());
            limit[s] = Math.max(limit[s], p.max());
            if (p.ts() >= lastTs[s]) {
                lastTs[s] = p.ts();
                boot[s] = p.counters().boot();
            }
            if (p.ts() > lastCountersTs) {
                if (lastCounters != null) {
                    Counters d = p.counters().since(lastCounters);
                    inc[4 * s] += d.drop();
                    inc[4 * s + 1] += d.earlyDrop();
                    inc[4 * s + 2] += d.insertFailed();
                    inc[4 * s + 3] += d.invalid();
                }
                lastCounters = p.counters();
                lastCountersTs = p.ts();
            }
        }

        /** A 1-minute rollup row, folded into its 10-minute bucket. */
        void addMinute(Bucket m) {
            int s = slot(Math.floorDiv(m.ts(), WIDTH));
            if (s < 0 || m.n() == 0) {
                return;
            }
            peak[s] = n[s] == 0 ? m.countMax() : Math.max(peak[s], m.countMax());
            n[s] += m.n();
            sum[s] += m.countSum();
            firstTs[s] = Math.min(firstTs[s], m.ts());
            limit[s] = Math.max(limit[s], m.maxMax());
            if (m.lastTs() >= lastTs[s]) {
                lastTs[s] = m.lastTs();
                boot[s] = m.last().boot();
            }
            inc[4 * s] += m.increases().drop();
            inc[4 * s + 1] += m.increases().earlyDrop();
            inc[4 * s + 2] += m.increases().insertFailed();
            inc[4 * s + 3] += m.increases().invalid();
            if (m.lastTs() > lastCountersTs) {
                lastCounters = m.last();
                lastCountersTs = m.lastTs();
            }
            latestSeen = Math.max(latestSeen, m.lastTs());
        }

        synchronized Window window(long from, long rateFrom, long recentMillis, long to, long latestTs, long now) {
            if (from < coveredFrom || latestTs > latestSeen || now > expires) {
                return null;
            }
            long first = Math.floorDiv(from, WIDTH);
            long last = Math.min(newest, Math.floorDiv(to - 1, WIDTH));
            if (last < first) {
                return new Window(List.of(), Counters.ZERO, Counters.ZERO, rateFrom, rateFrom, rateFrom, 0);
            }
            long rateBucket = Math.floorDiv(rateFrom, WIDTH);
            // "Recent" is the newest samples' last minutes, not the clock's: an imported host's history
            // ends when it ends.
            long newestData = Long.MIN_VALUE;
            for (long b = last; b >= Math.max(first, newest - cap + 1) && newestData == Long.MIN_VALUE; b--) {
                int s = (int) Math.floorMod(b, (long) cap);
                if (id[s] == b && n[s] > 0) {
                    newestData = lastTs[s];
                }
            }
            // A bucket's increases run from the previous bucket's last sample to its own: those that
            // end after the cut are recent, and they cover from the last one that does not.
            long recentCut = newestData == Long.MIN_VALUE ? Long.MAX_VALUE : newestData - recentMillis;
            long recentFrom = Long.MIN_VALUE;
            int room = (int) Math.max(0, last - first + 1);
            long[] pts = new long[room];
            long[] cnt = new long[room];
            long[] lim = new long[room];
            long[] top = new long[room];
            int[] num = new int[room];
            int[] bts = new int[room];
            int size = 0;
            long[] total = new long[4];
            long[] recent = new long[4];
            long[] spacing = new long[(int) Math.max(0, last - first + 1)];
            int spaced = 0;
            long firstRate = Long.MAX_VALUE;
            long newestTs = Long.MIN_VALUE;
            long before = Long.MIN_VALUE;
            long previousLast = Long.MIN_VALUE;
            int lastBoot = 0;
            for (long b = Math.max(first, newest - cap + 1); b <= last; b++) {
                int s = (int) Math.floorMod(b, (long) cap);
                if (id[s] != b || n[s] == 0) {
                    continue;
                }
                long start = b * WIDTH;
                pts[size] = Math.min(start + WIDTH / 2, lastTs[s]);
                cnt[size] = Math.round((double) sum[s] / n[s]);
                lim[size] = limit[s];
                top[size] = peak[s];
                num[size] = n[s];
                bts[size] = boot[s];
                size++;
                lastBoot = boot[s];
                newestTs = Math.max(newestTs, lastTs[s]);
                if (lastTs[s] <= recentCut) {
                    recentFrom = lastTs[s];
                }
                if (b < rateBucket) {
                    before = lastTs[s];
                } else {
                    firstRate = Math.min(firstRate, before != Long.MIN_VALUE ? before : firstTs[s]);
                    for (int k = 0; k < 4; k++) {
                        total[k] += inc[4 * s + k];
                        if (lastTs[s] > recentCut) {
                            recent[k] += inc[4 * s + k];
                        }
                    }
                }
                if (previousLast != Long.MIN_VALUE && lastTs[s] > previousLast) {
                    spacing[spaced++] = (lastTs[s] - previousLast) / n[s];
                }
                previousLast = lastTs[s];
            }
            java.util.Arrays.sort(spacing, 0, spaced);
            long rateStart = firstRate == Long.MAX_VALUE ? rateFrom : firstRate;
            return new Window(new CountSeries(pts, cnt, lim, top, num, bts, size), new Counters(lastBoot, total[0], total[1], total[2], total[3]),
                    new Counters(lastBoot, recent[0], recent[1], recent[2], recent[3]),
                    rateStart, Math.max(rateStart, recentFrom), newestTs == Long.MIN_VALUE ? rateFrom : newestTs,
                    spaced == 0 ? 0 : spacing[spaced / 2]);
        }
    }
}
