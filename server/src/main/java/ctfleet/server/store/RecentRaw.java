package ctfleet.server.store;

import ctfleet.server.fleet.CountPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest raw samples of each host, in memory, so that ranking the fleet (Top, the host view,
 * every /metrics scrape) does not read the whole window from the database on each call: at 1,000
 * hosts the default hour is 360,000 rows, 0.2 s of reading and most of a second of garbage. A
 * tail holds what the ranking asks of a window ({@link Window}) ready to hand out: the count
 * points themselves, and running sums of the counter increases, so a window's totals are one
 * subtraction instead of a walk over its points.
 *
 * <p>A cache, never a source. A host's tail starts as a database read of its window and is then
 * extended by this server's own writes ({@link SampleWriter}). Each use checks it against the
 * host's newest time in {@code host_latest}: a tail that is behind (a sample another server wrote
 * to the same database, or a commit whose append has not happened yet) is read again. What that
 * check cannot see is a sample older than the host's newest one written by another server; it
 * shows up once the tail is read again, at the latest after 40 minutes ({@link #MAX_AGE_MILLIS}).
 *
 * <p>Only windows up to the one given to the constructor are served from memory; longer ones
 * read the database as before, so a week-long query cannot fill the heap.
 */
public final class RecentRaw implements SampleListener {
    /** No cache: every read goes to the database. */
    public static final RecentRaw NONE = new RecentRaw(Duration.ZERO);

    /**
     * A tail is read from the database again after this long, plus up to {@link #MAX_AGE_SPREAD_MILLIS}
     * depending on the host, whatever its checks say. The spread keeps a fleet whose tails were all
     * read by one call from being read again all at once by one later call.
     */
    static final long MAX_AGE_MILLIS = Duration.ofMinutes(30).toMillis();
    static final long MAX_AGE_SPREAD_MILLIS = Duration.ofMinutes(10).toMillis();

    /**
     * How much newer than {@code from} a sample time may be without the tail dropping points a
     * window still needs: agents' clocks may run ahead of the server's (ingest accepts up to its
     * clock skew, 5 minutes by default), and trimming goes by sample times.
     */
    static final long SLACK_MILLIS = Duration.ofMinutes(15).toMillis();

    private final long spanMillis;
    private final ConcurrentHashMap<Long, Tail> tails = new ConcurrentHashMap<>();

    /** @param window the longest window served from memory (a tail keeps it plus {@link #SLACK_MILLIS}) */
    public RecentRaw(Duration window) {
        this.spanMillis = window.toMillis();
    }

    /**
     * Whether a window of raw points starting at {@code from} is served from here, given the time
     * now. A minute of leeway: callers compute {@code from} from their own, slightly earlier, look
     * at the clock.
     */
    boolean serves(long from, long now) {
        return spanMillis > 0 && now - from <= spanMillis + 60_000;
    }

    /** A committed, stored sample: extends the host's tail if it has one. */
    @Override
    public void stored(long hostRef, RawPoint p) {
        Tail t = tails.get(hostRef);
        if (t != null) {
            t.add(p, spanMillis + SLACK_MILLIS);
        }
    }

    /** The host's rows changed in a way appends do not describe (an import): read it again next time. */
    @Override
    public void forget(long hostRef) {
        tails.remove(hostRef);
    }

    /**
     * The ranking's inputs for one host's raw samples with ts in [from, to).
     *
     * @param counts     the counts, oldest first
     * @param increases  the counters' increases over the window, wrap- and reboot-aware; boot is the
     *                   newest point's (the first point has no predecessor in the window, so no
     *                   increase of its own, as when read from the database)
     * @param gaps       the times between consecutive points, in milliseconds, in time order
     */
    public record Window(List<CountPoint> counts, Counters increases, long[] gaps) {}

    /**
     * The host's window, or null when the tail does not hold all of it, is behind {@code latestTs},
     * or is too old.
     */
    Window window(long hostRef, long from, long to, long latestTs, long now) {
        Tail t = tails.get(hostRef);
        return t == null ? null : t.window(from, to, latestTs, now);
    }

    /**
     * A fresh tail from a database read made after the host's newest time was {@code latestTs}:
     * {@code rows} are all of the host's rows with ts >= {@code from}, oldest first. Returns the
     * window [from, to) from them.
     */
    Window loaded(long hostRef, long from, long to, long latestTs, long now, List<RawPoint> rows) {
        long spread = Math.floorMod(hostRef * 7_919_000L, MAX_AGE_SPREAD_MILLIS);
        Tail t = new Tail(from, latestTs, now + MAX_AGE_MILLIS + spread, rows);
        if (spanMillis > 0) {
            tails.put(hostRef, t);
        }
        return t.window(from, to, latestTs, now);
    }

    /**
     * One host's points, oldest first, in parallel arrays used from {@code head} to {@code end}:
     * the time, the count point the ranking reads, the raw counters (for the increase of a point
     * that arrives after it), and running sums of the increases. The time repeats the count
     * point's, as a primitive: binary searches and gaps then read one array instead of two objects
     * per point.
     */
    private static final class Tail {
        private final long expires;
        private long coveredFrom;
        private long latestSeen;
        private int head;
        private int end;
        private long[] ts;
        private CountPoint[] counts;
        private Counters[] counters;
        /** Running sums of drop, early_drop, insert_failed, invalid increases, 4 per point. */
        private long[] sums;

        Tail(long coveredFrom, long latestSeen, long expires, List<RawPoint> rows) {
            this.coveredFrom = coveredFrom;
            this.expires = expires;
            allocate(Math.max(16, rows.size() + rows.size() / 4));
            for (RawPoint r : rows) {
                set(end++, r);
            }
            sumFrom(0);
            this.latestSeen = Math.max(latestSeen, end > 0 ? ts[end - 1] : Long.MIN_VALUE);
        }

        private void allocate(int capacity) {
            ts = new long[capacity];
            counts = new CountPoint[capacity];
            counters = new Counters[capacity];
            sums = new long[4 * capacity];
        }

        private void set(int i, RawPoint r) {
            ts[i] = r.ts();
            counts[i] = new CountPoint(Instant.ofEpochMilli(r.ts()), r.count(), r.max(), r.count(), 1, r.counters().boot());
            counters[i] = r.counters();
        }

        /** Recomputes the running sums from point i on. */
        private void sumFrom(int i) {
            for (; i < end; i++) {
                if (i == head) {
                    Arrays.fill(sums, 4 * i, 4 * i + 4, 0);
                    continue;
                }
                Counters inc = counters[i].since(counters[i - 1]);
                sums[4 * i] = sums[4 * i - 4] + inc.drop();
                sums[4 * i + 1] = sums[4 * i - 3] + inc.earlyDrop();
                sums[4 * i + 2] = sums[4 * i - 2] + inc.insertFailed();
                sums[4 * i + 3] = sums[4 * i - 1] + inc.invalid();
            }
        }

        synchronized Window window(long from, long to, long latestTs, long now) {
            if (from < coveredFrom || latestTs > latestSeen || now > expires) {
                return null;
            }
            int first = firstAtOrAfter(from);
            int last = firstAtOrAfter(to); // exclusive
            int n = last - first;
            long[] gaps = new long[Math.max(0, n - 1)];
            for (int i = first + 1; i < last; i++) {
                gaps[i - first - 1] = ts[i] - ts[i - 1];
            }
            Counters increases = n == 0 ? Counters.ZERO
                    : new Counters(counters[last - 1].boot(), sums[4 * (last - 1)] - sums[4 * first],
                            sums[4 * (last - 1) + 1] - sums[4 * first + 1], sums[4 * (last - 1) + 2] - sums[4 * first + 2],
                            sums[4 * (last - 1) + 3] - sums[4 * first + 3]);
            return new Window(Arrays.asList(Arrays.copyOfRange(counts, first, last)), increases, gaps);
        }

        synchronized void add(RawPoint p, long keepMillis) {
            latestSeen = Math.max(latestSeen, p.ts());
            if (p.ts() < coveredFrom) {
                return; // a late sample older than any window this tail serves
            }
            int at = firstAtOrAfter(p.ts());
            if (at < end && ts[at] == p.ts()) {
                return; // the database read already had it
            }
            if (end == ts.length) {
                makeRoom();
                at = firstAtOrAfter(p.ts());
            }
            // Nothing moves for the usual newest sample.
            System.arraycopy(ts, at, ts, at + 1, end - at);
            System.arraycopy(counts, at, counts, at + 1, end - at);
            System.arraycopy(counters, at, counters, at + 1, end - at);
            end++;
            set(at, p);
            sumFrom(at); // a late sample also changes the increase of the one after it, and every sum after
            long cutoff = ts[end - 1] - keepMillis;
            if (cutoff > coveredFrom) {
                coveredFrom = cutoff;
                int keep = firstAtOrAfter(cutoff);
                Arrays.fill(counts, head, keep, null);
                Arrays.fill(counters, head, keep, null);
                head = keep; // the sums stay valid: a window only ever takes differences of them
            }
        }

        /** Moves the live points to the front, into bigger arrays if they fill most of the old ones. */
        private void makeRoom() {
            int live = end - head;
            long[] oldTs = ts;
            CountPoint[] oldCounts = counts;
            Counters[] oldCounters = counters;
            long[] oldSums = sums;
            if (live > oldTs.length * 3 / 4) {
                allocate(oldTs.length * 2);
            }
            System.arraycopy(oldTs, head, ts, 0, live);
            System.arraycopy(oldCounts, head, counts, 0, live);
            System.arraycopy(oldCounters, head, counters, 0, live);
            System.arraycopy(oldSums, 4 * head, sums, 0, 4 * live);
            if (counts == oldCounts) {
                Arrays.fill(counts, live, end, null);
                Arrays.fill(counters, live, end, null);
            }
            head = 0;
            end = live;
        }

        private int firstAtOrAfter(long t) {
            int lo = head;
            int hi = end;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ts[mid] < t) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
