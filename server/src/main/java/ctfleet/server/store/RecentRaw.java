package ctfleet.server.store;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The newest raw samples of each host, in memory, so that ranking the fleet (Top, the host view,
 * every /metrics scrape) does not read the whole window from the database on each call: at 1,000
 * hosts the default hour is 360,000 rows, 0.2 s of reading and most of a second of garbage.
 *
 * <p>A cache, never a source. A host's tail starts as a database read of its window and is then
 * extended by this server's own writes ({@link SampleStore}). Each use checks it against the
 * host's newest time in {@code host_latest}: a tail that is behind (a sample another server wrote
 * to the same database, or a commit whose append has not happened yet) is read again. What that
 * check cannot see is a sample older than the host's newest one written by another server; it
 * shows up once the tail is read again, at the latest after 40 minutes ({@link #MAX_AGE_MILLIS}).
 *
 * <p>Only windows up to {@link #spanMillis()} are served from memory; longer ones read the
 * database as before, so a week-long query cannot fill the heap.
 */
public final class RecentRaw {
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

    long spanMillis() {
        return spanMillis;
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
    void stored(long hostRef, RawPoint p) {
        Tail t = tails.get(hostRef);
        if (t != null) {
            t.add(p, spanMillis + SLACK_MILLIS);
        }
    }

    /** The host's rows changed in a way appends do not describe (an import): read it again next time. */
    void forget(long hostRef) {
        tails.remove(hostRef);
    }

    /**
     * Calls {@code each} with the host's points with ts in [from, to), oldest first, and returns
     * true; or returns false without calling it when the tail does not hold all of them, is behind
     * {@code latestTs}, or is too old.
     */
    boolean read(long hostRef, long from, long to, long latestTs, long now, Consumer<HistoryPoint> each) {
        Tail t = tails.get(hostRef);
        return t != null && t.read(from, to, latestTs, now, each);
    }

    /**
     * A fresh tail from a database read made after the host's newest time was {@code latestTs}:
     * {@code points} are all of the host's rows with ts >= {@code from}, oldest first.
     */
    void loaded(long hostRef, long from, long latestTs, long now, List<RawPoint> points) {
        long spread = Math.floorMod(hostRef * 7_919_000L, MAX_AGE_SPREAD_MILLIS);
        tails.put(hostRef, new Tail(from, latestTs, now + MAX_AGE_MILLIS + spread, points));
    }

    /**
     * One host's points, oldest first, in arrays used from {@code head}: each raw row and its
     * history point (increases from the row before it), so a read hands out the points it already
     * has instead of building 360,000 new ones per Top call.
     */
    private static final class Tail {
        private final long expires;
        private long coveredFrom;
        private long latestSeen;
        private RawPoint[] raw;
        private HistoryPoint[] points;
        private int head;
        private int end;

        Tail(long coveredFrom, long latestSeen, long expires, List<RawPoint> rows) {
            this.coveredFrom = coveredFrom;
            this.expires = expires;
            int capacity = Math.max(16, rows.size() + rows.size() / 4);
            this.raw = rows.toArray(new RawPoint[capacity]);
            this.points = new HistoryPoint[capacity];
            this.end = rows.size();
            for (int i = 0; i < end; i++) {
                points[i] = HistoryPoint.of(raw[i], i > 0 ? raw[i - 1] : null);
            }
            long newest = end > 0 ? raw[end - 1].ts() : Long.MIN_VALUE;
            this.latestSeen = Math.max(latestSeen, newest);
        }

        synchronized boolean read(long from, long to, long latestTs, long now, Consumer<HistoryPoint> each) {
            if (from < coveredFrom || latestTs > latestSeen || now > expires) {
                return false;
            }
            int first = firstAtOrAfter(from);
            for (int i = first; i < end && raw[i].ts() < to; i++) {
                // A range's first point has no predecessor in it, and so no increase: as read from the database.
                each.accept(i == first ? HistoryPoint.of(raw[i], null) : points[i]);
            }
            return true;
        }

        synchronized void add(RawPoint p, long keepMillis) {
            latestSeen = Math.max(latestSeen, p.ts());
            if (p.ts() < coveredFrom) {
                return; // a late sample older than any window this tail serves
            }
            int at = firstAtOrAfter(p.ts());
            if (at < end && raw[at].ts() == p.ts()) {
                return; // the database read already had it
            }
            if (end == raw.length) {
                makeRoom();
                at = firstAtOrAfter(p.ts());
            }
            // Nothing moves for the usual newest sample.
            System.arraycopy(raw, at, raw, at + 1, end - at);
            System.arraycopy(points, at, points, at + 1, end - at);
            raw[at] = p;
            end++;
            points[at] = HistoryPoint.of(p, at > head ? raw[at - 1] : null);
            if (at + 1 < end) {
                points[at + 1] = HistoryPoint.of(raw[at + 1], p); // a late sample splits its successor's interval
            }
            long cutoff = raw[end - 1].ts() - keepMillis;
            if (cutoff > coveredFrom) {
                coveredFrom = cutoff;
                int keep = firstAtOrAfter(cutoff);
                Arrays.fill(raw, head, keep, null);
                Arrays.fill(points, head, keep, null);
                head = keep;
            }
        }

        /** Moves the live points to the front, and grows the arrays if they fill most of them. */
        private void makeRoom() {
            int live = end - head;
            boolean grow = live > raw.length * 3 / 4;
            RawPoint[] rawTo = grow ? new RawPoint[raw.length * 2] : raw;
            HistoryPoint[] pointsTo = grow ? new HistoryPoint[raw.length * 2] : points;
            System.arraycopy(raw, head, rawTo, 0, live);
            System.arraycopy(points, head, pointsTo, 0, live);
            if (!grow) {
                Arrays.fill(raw, live, end, null);
                Arrays.fill(points, live, end, null);
            }
            raw = rawTo;
            points = pointsTo;
            head = 0;
            end = live;
        }

        private int firstAtOrAfter(long ts) {
            int lo = head;
            int hi = end;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (raw[mid].ts() < ts) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
