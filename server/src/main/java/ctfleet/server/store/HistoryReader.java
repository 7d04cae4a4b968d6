package ctfleet.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads history at a chosen resolution: raw samples, 1-minute or 1-hour rollups. This is what
 * {@code ctfleet history}, the ranking's trend and capacity planning read.
 *
 * <p>Ranges are [from, to) in epoch milliseconds. Every query is one host's range of a primary key
 * ordered by host, then time ({@link Rows#RAW_RANGE}, {@link Rows#bucketRange}), so its cost
 * follows the rows returned, not the size of the history.
 */
public final class HistoryReader {
    /** Receives a fleet series: every point of one host, oldest first, then the next host. */
    @FunctionalInterface
    public interface FleetSink {
        void accept(String hostId, HistoryPoint point);
    }

    private final Database db;
    private final Retention retention;
    private final Clock clock;
    private final RecentRaw recent;
    private final RecentBuckets buckets;
    /**
     * A host's tail is read by one caller at a time (striped by host): the first calls after a
     * start (the warm-up, a scrape, a person's Top) find the same tails missing, and without this
     * each of them read every one from the database.
     */
    private final Object[] tailLocks = new Object[64];
    private final java.util.concurrent.atomic.AtomicLong tailReads = new java.util.concurrent.atomic.AtomicLong();

    public HistoryReader(Database db, Retention retention, Clock clock) {
        this(db, retention, clock, RecentRaw.NONE, RecentBuckets.NONE);
    }

    /** With the newest raw samples in memory but no buckets: contexts are read from the database. */
    public HistoryReader(Database db, Retention retention, Clock clock, RecentRaw recent) {
        this(db, retention, clock, recent, RecentBuckets.NONE);
    }

    /**
     * @param recent  the newest raw samples in memory, extended by the writers through their "stored" listener
     * @param buckets the last days in 5-minute buckets in memory, likewise
     */
    public HistoryReader(Database db, Retention retention, Clock clock, RecentRaw recent, RecentBuckets buckets) {
        this.db = db;
        this.retention = retention;
        this.clock = clock;
        this.recent = recent;
        this.buckets = buckets;
        for (int i = 0; i < tailLocks.length; i++) {
            tailLocks[i] = new Object();
        }
    }

    /** How many host tails (raw or bucketed) were read from the database rather than memory so far. */
    public long tailReads() {
        return tailReads.get();
    }

    private Object tailLock(long hostRef) {
        return tailLocks[(int) Math.floorMod(hostRef, (long) tailLocks.length)];
    }

    /** The step {@code step} means for a range starting at {@code fromMillis} (AUTO resolved). */
    public Step resolve(long fromMillis, Step step) {
        return step.resolve(fromMillis, clock.millis(), retention);
    }

    /**
     * One host's history, oldest first; empty for an unknown host. For raw points the first one's
     * increases are measured from the sample just before the range; for rollups the first bucket's
     * covered time from the last sample of the bucket before it ({@link HistoryPoint#durationMillis}).
     */
    public List<HistoryPoint> series(String hostId, long fromMillis, long toMillis, Step step) throws StoreException {
        try {
            return read(hostId, fromMillis, toMillis, step);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    private List<HistoryPoint> read(String hostId, long fromMillis, long toMillis, Step step) throws SQLException {
        Step s = resolve(fromMillis, step);
        List<HistoryPoint> out = new ArrayList<>();
        try (Connection c = db.connect()) {
            long host = hostRef(c, hostId);
            if (host < 0) {
                return out;
            }
            if (s == Step.RAW) {
                RawPoint prev = null;
                try (PreparedStatement q = c.prepareStatement(Rows.RAW_BEFORE)) {
                    q.setLong(1, SampleKey.bound(host, 0));
                    q.setLong(2, SampleKey.bound(host, fromMillis));
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            prev = Rows.raw(rs, 1);
                        }
                    }
                }
                try (PreparedStatement q = c.prepareStatement(Rows.RAW_RANGE)) {
                    q.setLong(1, SampleKey.bound(host, fromMillis));
                    q.setLong(2, SampleKey.bound(host, toMillis));
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            RawPoint r = Rows.raw(rs, 1);
                            out.add(HistoryPoint.of(r, prev));
                            prev = r;
                        }
                    }
                }
                return out;
            }
            long from = Rollups.floor(fromMillis, s.millis);
            try (PreparedStatement before = c.prepareStatement(Rows.bucketBefore(s.table));
                 PreparedStatement q = c.prepareStatement(Rows.bucketRange(s.table))) {
                long previous = lastTsBefore(before, host, from);
                bindRange(q, host, from, toMillis);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        Bucket b = Rows.bucket(rs, 1);
                        out.add(HistoryPoint.of(b, previous));
                        previous = b.lastTs();
                    }
                }
            }
            return out;
        }
    }

    /**
     * Every host's history, streamed host by host (ordered by host id, then time), so capacity over a
     * month of the whole fleet never holds it all in memory. For raw points, the first point of each
     * host has no predecessor in the range and reports no increase.
     *
     * <p>One range query per host, not one join: H2 sorted the join's result (it sees only the first
     * table's order), and past 40,000 rows it spills a sort to a temporary file. For top's hour of
     * raw samples at 1,000 hosts (360,000 rows) the join took 2.4 s, the per-host queries 0.33 s.
     */
    public void fleetSeries(long fromMillis, long toMillis, Step step, FleetSink sink) throws StoreException {
        try {
            readFleet(fromMillis, toMillis, step, sink);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    private void readFleet(long fromMillis, long toMillis, Step step, FleetSink sink) throws SQLException {
        Step s = resolve(fromMillis, step);
        String sql = s == Step.RAW ? Rows.RAW_RANGE : Rows.bucketRange(s.table);
        long from = s == Step.RAW ? fromMillis : Rollups.floor(fromMillis, s.millis);
        try (Connection c = db.connect(); PreparedStatement q = c.prepareStatement(sql);
             PreparedStatement before = s == Step.RAW ? null : c.prepareStatement(Rows.bucketBefore(s.table))) {
            for (var host : hosts(c).entrySet()) {
                long ref = host.getValue().ref();
                long previous = Long.MIN_VALUE;
                if (s == Step.RAW) {
                    q.setLong(1, SampleKey.bound(ref, from));
                    q.setLong(2, SampleKey.bound(ref, toMillis));
                } else {
                    previous = lastTsBefore(before, ref, from);
                    bindRange(q, ref, from, toMillis);
                }
                try (ResultSet rs = q.executeQuery()) {
                    RawPoint prev = null;
                    while (rs.next()) {
                        if (s == Step.RAW) {
                            RawPoint r = Rows.raw(rs, 1);
                            sink.accept(host.getKey(), HistoryPoint.of(r, prev));
                            prev = r;
                        } else {
                            Bucket b = Rows.bucket(rs, 1);
                            sink.accept(host.getKey(), HistoryPoint.of(b, previous));
                            previous = b.lastTs();
                        }
                    }
                }
            }
        }
    }

    /** Receives the hosts' recent windows, one call per host, in host id order. */
    @FunctionalInterface
    public interface WindowSink {
        void accept(String hostId, RecentRaw.Window window);
    }

    /** Whether {@link #recentWindows} serves a window of raw samples starting at {@code fromMillis}. */
    public boolean servesRecent(long fromMillis, Step step) {
        return resolve(fromMillis, step) == Step.RAW && recent.serves(fromMillis, clock.millis());
    }

    /**
     * Every host's raw samples in [from, to), as the ranking reads them: from memory where
     * {@link RecentRaw} has the host's tail and it is current, else from the database, and then
     * kept there. A tail read covers all of the host's newer rows, not only up to {@code to}: a
     * sample stamped a little ahead of the server's clock must be in it once the window reaches it.
     */
    public void recentWindows(long from, long to, WindowSink sink) throws StoreException {
        recentWindows(from, to, null, sink);
    }

    /** As {@link #recentWindows(long, long, WindowSink)}, for only these hosts (null: all). */
    public void recentWindows(long from, long to, java.util.Set<String> only, WindowSink sink) throws StoreException {
        try {
            readWindows(from, to, only, sink);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    private void readWindows(long from, long to, java.util.Set<String> only, WindowSink sink) throws SQLException {
        long now = clock.millis();
        try (Connection c = db.connect(); PreparedStatement q = c.prepareStatement(Rows.RAW_RANGE)) {
            List<RawPoint> rows = new ArrayList<>();
            List<java.util.Map.Entry<String, Host>> hosts = new ArrayList<>(hosts(c, only).entrySet());
            RecentRaw.Window[] kept = fromMemory(hosts,
                    h -> recent.window(h.ref(), from, to, h.latestTs(), now), RecentRaw.Window[]::new);
            for (int i = 0; i < hosts.size(); i++) {
                var host = hosts.get(i);
                Host h = host.getValue();
                RecentRaw.Window w = kept[i];
                if (w == null) {
                    synchronized (tailLock(h.ref())) {
                        // Another caller may have read it while this one waited.
                        w = recent.window(h.ref(), from, to, h.latestTs(), now);
                        if (w == null) {
                            rows.clear();
                            rawFrom(q, h.ref(), from, rows);
                            tailReads.incrementAndGet();
                            w = recent.loaded(h.ref(), from, to, h.latestTs(), now, rows);
                        }
                    }
                }
                sink.accept(host.getKey(), w);
            }
        }
    }

    /** Receives the hosts' bucketed windows, one call per host, in host id order. */
    @FunctionalInterface
    public interface BucketSink {
        void accept(String hostId, RecentBuckets.Window window);
    }

    /**
     * Whether {@link #recentBuckets} serves a context starting at {@code fromMillis}: up to the span
     * kept in memory (from the database when this reader has no memory of it).
     */
    public boolean servesBuckets(long fromMillis) {
        return clock.millis() - fromMillis <= ctfleet.server.fleet.CountBuckets.MIN_CONTEXT.toMillis() + RecentBuckets.WIDTH;
    }

    /**
     * Every host's 5-minute buckets from {@code from} to {@code to}, with its counters' increases
     * from {@code rateFrom} and over the newest samples' last {@code recentMillis}: from memory where {@link RecentBuckets} has
     * the host's tail and it is current, else read (its 1-minute rollups, then the raw rows after
     * the newest of them) and kept.
     */
    public void recentBuckets(long from, long rateFrom, long recentMillis, long to, BucketSink sink)
            throws StoreException {
        recentBuckets(from, rateFrom, recentMillis, to, null, sink);
    }

    /** As {@link #recentBuckets(long, long, long, long, BucketSink)}, for only these hosts (null: all). */
    public void recentBuckets(long from, long rateFrom, long recentMillis, long to, java.util.Set<String> only,
            BucketSink sink) throws StoreException {
        try {
            readBuckets(from, rateFrom, recentMillis, to, only, sink);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    private void readBuckets(long from, long rateFrom, long recentMillis, long to, java.util.Set<String> only,
            BucketSink sink) throws SQLException {
        long now = clock.millis();
        long start = Math.floorDiv(from, RecentBuckets.WIDTH) * RecentBuckets.WIDTH;
        try (Connection c = db.connect();
             PreparedStatement minutes = c.prepareStatement(Rows.bucketRange(Step.MINUTE.table));
             PreparedStatement raw = c.prepareStatement(Rows.RAW_RANGE)) {
            List<Bucket> rollups = new ArrayList<>();
            List<RawPoint> rows = new ArrayList<>();
            List<java.util.Map.Entry<String, Host>> hosts = new ArrayList<>(hosts(c, only).entrySet());
            RecentBuckets.Window[] kept = fromMemory(hosts,
                    h -> buckets.window(h.ref(), from, rateFrom, recentMillis, to, h.latestTs(), now),
                    RecentBuckets.Window[]::new);
            for (int i = 0; i < hosts.size(); i++) {
                var host = hosts.get(i);
                Host h = host.getValue();
                RecentBuckets.Window w = kept[i];
                if (w == null) {
                    synchronized (tailLock(h.ref())) {
                        w = buckets.window(h.ref(), from, rateFrom, recentMillis, to, h.latestTs(), now);
                        if (w == null) {
                            w = readBucketTail(minutes, raw, h, start, from, rateFrom, recentMillis, to, now, rollups,
                                    rows);
                        }
                    }
                }
                sink.accept(host.getKey(), w);
            }
        }
    }

    /** From this many hosts on, their windows are copied out of memory on every core. */
    static final int PARALLEL_FROM = 64;

    /**
     * Each host's window as memory has it (null where it has none or it is stale), in the hosts'
     * order. On a fleet, on every core: copying a thousand tails into their windows was a fifth of
     * a warm ranking's CPU, on one thread, while the forecasts waited for it. The tails lock one
     * at a time, so readers on other hosts never wait for each other; the database reads of the
     * misses stay on the caller's connection, in order.
     */
    private static <W> W[] fromMemory(List<java.util.Map.Entry<String, Host>> hosts,
            java.util.function.Function<Host, W> read, java.util.function.IntFunction<W[]> array) {
        W[] out = array.apply(hosts.size());
        java.util.stream.IntStream all = java.util.stream.IntStream.range(0, hosts.size());
        (hosts.size() < PARALLEL_FROM ? all : all.parallel()).forEach(i -> out[i] = read.apply(hosts.get(i).getValue()));
        return out;
    }

    /** A host's bucketed tail from the database: its 1-minute rollups, then the raw rows after them. */
    private RecentBuckets.Window readBucketTail(PreparedStatement minutes, PreparedStatement raw, Host h, long start,
            long from, long rateFrom, long recentMillis, long to, long now, List<Bucket> rollups, List<RawPoint> rows)
            throws SQLException {
        rollups.clear();
        rows.clear();
        bindRange(minutes, h.ref(), start, Long.MAX_VALUE);
        try (ResultSet rs = minutes.executeQuery()) {
            while (rs.next()) {
                rollups.add(Rows.bucket(rs, 1));
            }
        }
        rawFrom(raw, h.ref(), rollups.isEmpty() ? start : rollups.get(rollups.size() - 1).ts() + Step.MINUTE.millis,
                rows);
        tailReads.incrementAndGet();
        return buckets.loaded(h.ref(), from, rateFrom, recentMillis, to, h.latestTs(), now, rollups, rows);
    }

    /** Adds the host's raw rows from {@code from} on, all of them (see {@link #recentWindows}), to {@code rows}. */
    private static void rawFrom(PreparedStatement rawRange, long hostRef, long from, List<RawPoint> rows)
            throws SQLException {
        rawRange.setLong(1, SampleKey.bound(hostRef, from));
        rawRange.setLong(2, SampleKey.bound(hostRef, SampleKey.TS_RANGE));
        try (ResultSet rs = rawRange.executeQuery()) {
            while (rs.next()) {
                rows.add(Rows.raw(rs, 1));
            }
        }
    }

    /** A host's ref and the time of its latest state (-1 without one). */
    private record Host(long ref, long latestTs) {}

    /** Host id to host, in host id order. */
    private static SortedMap<String, Host> hosts(Connection c) throws SQLException {
        return hosts(c, null);
    }

    /** As {@link #hosts(Connection)}, for only these hosts (null: all); one host is one row's read. */
    private static SortedMap<String, Host> hosts(Connection c, java.util.Set<String> only) throws SQLException {
        SortedMap<String, Host> out = new TreeMap<>();
        boolean one = only != null && only.size() == 1;
        try (PreparedStatement q = c.prepareStatement(
                "SELECT h.host_id, h.id, COALESCE(l.ts, -1) FROM hosts h LEFT JOIN host_latest l ON l.host_ref = h.id"
                        + (one ? " WHERE h.host_id = ?" : ""))) {
            if (one) {
                q.setString(1, only.iterator().next());
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (only == null || only.contains(rs.getString(1))) {
                        out.put(rs.getString(1), new Host(rs.getLong(2), rs.getLong(3)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The last sample time of the host's newest rollup row before {@code from}, or
     * {@link Long#MIN_VALUE}: a bucket's increases start there (its first sample's is counted from
     * the sample before it), so its rate is over the time since then, not over its width.
     */
    private static long lastTsBefore(PreparedStatement before, long host, long from) throws SQLException {
        before.setLong(1, host);
        before.setLong(2, from);
        try (ResultSet rs = before.executeQuery()) {
            return rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
        }
    }

    private static void bindRange(PreparedStatement q, long host, long from, long to) throws SQLException {
        q.setLong(1, host);
        q.setLong(2, from);
        q.setLong(3, to);
    }

    private static long hostRef(Connection c, String hostId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT id FROM hosts WHERE host_id = ?")) {
            q.setString(1, hostId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
