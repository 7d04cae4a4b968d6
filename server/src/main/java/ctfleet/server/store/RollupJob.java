package ctfleet.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rolls raw samples up into {@code samples_1m}, and those into {@code samples_1h}.
 *
 * <p>Idempotent: a run recomputes whole buckets from their sources and replaces them, so running
 * twice never counts twice. Each host has a watermark, the first minute not yet rolled up; a run
 * rolls every closed minute from there on, plus the minutes that received late samples (from the
 * {@link RollupBacklog}). The current hour's row is partial and recomputed until the hour closes.
 * Hosts are committed in groups of {@link #HOSTS_PER_COMMIT}: small transactions, few commits.
 */
public final class RollupJob {
    private static final String PREVIOUS_MINUTE = "SELECT last_boot, last_drop, last_early_drop, last_insert_failed,"
            + " last_invalid FROM samples_1m WHERE host_ref = ? AND ts < ? ORDER BY host_ref DESC, ts DESC FETCH FIRST 1 ROWS ONLY";

    /** What one run did. */
    public record Result(int hosts, int minutes, int hours) {}

    private final Database db;
    private final RollupBacklog backlog;
    private final Retention retention;
    private final Map<Long, Long> watermark = new ConcurrentHashMap<>();

    public RollupJob(Database db, RollupBacklog backlog, Retention retention) {
        this.db = db;
        this.backlog = backlog;
        this.retention = retention;
    }

    /** Rolls up every minute closed at {@code nowMillis}. */
    public synchronized Result run(long nowMillis) throws SQLException {
        long closed = Rollups.floor(nowMillis, Rollups.MINUTE);
        // Raw rows older than this are being deleted: rolling their minutes again would replace a
        // complete rollup with what is left of them.
        long rawFloor = Rollups.floor(nowMillis - retention.raw().toMillis(), Rollups.MINUTE) + Rollups.MINUTE;
        Map<Long, Long> late = backlog.drain();
        int hosts = 0;
        int minutes = 0;
        int hours = 0;
        // Hosts rolled up since the last commit, each with the first minute it would need again.
        Map<Long, Long> uncommitted = new java.util.LinkedHashMap<>();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                for (long host : hostRefs(c)) {
                    Long mark = watermark.get(host);
                    long from = mark != null ? mark : firstUnrolled(c, host, closed);
                    Long oldest = late.remove(host);
                    if (oldest != null) {
                        from = Math.min(from, Rollups.floor(oldest, Rollups.MINUTE));
                        uncommitted.put(host, from);
                        if (from < rawFloor) {
                            backfill(c, host, from, rawFloor);
                        }
                    }
                    from = Math.max(from, rawFloor);
                    if (from >= closed) {
                        watermark.putIfAbsent(host, from);
                        continue;
                    }
                    uncommitted.merge(host, from, Math::min);
                    int[] done = rollHost(c, host, from, closed);
                    hosts++;
                    minutes += done[0];
                    hours += done[1];
                    if (uncommitted.size() >= HOSTS_PER_COMMIT) {
                        commit(c, uncommitted, closed);
                    }
                }
                commit(c, uncommitted, closed);
            } catch (SQLException e) {
                c.rollback();
                // try again next run: what this transaction held, and the late minutes not reached
                uncommitted.forEach(backlog::stored);
                late.forEach(backlog::stored);
                throw e;
            }
        }
        return new Result(hosts, minutes, hours);
    }

    /**
     * Hosts per transaction. Every commit writes the B-tree pages it changed to a new chunk of the
     * file, so one commit per host (1,000 per round at 1,000 hosts) left 1,000 small chunks of
     * garbage per round for compaction to free (StorageBench, rounds every 30 s: 99 B per raw sample
     * at the end of the load, against 57 B with groups).
     * A group of hosts is still a small transaction: a round rolls about one minute per host.
     */
    static final int HOSTS_PER_COMMIT = 200;

    private void commit(Connection c, Map<Long, Long> uncommitted, long closed) throws SQLException {
        c.commit();
        for (long host : uncommitted.keySet()) {
            watermark.put(host, Math.max(closed, watermark.getOrDefault(host, closed)));
        }
        uncommitted.clear();
    }

    private static List<Long> hostRefs(Connection c) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT id FROM hosts ORDER BY id");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** After a start: the minute after the host's newest rollup, else its oldest raw minute. */
    private static long firstUnrolled(Connection c, long host, long closed) throws SQLException {
        Long rolled = single(c, "SELECT ts FROM samples_1m WHERE host_ref = ? ORDER BY host_ref DESC, ts DESC FETCH FIRST 1 ROWS ONLY", host);
        if (rolled != null) {
            return rolled + Rollups.MINUTE;
        }
        Long oldest = null;
        try (PreparedStatement q = c.prepareStatement(
                "SELECT id FROM samples WHERE id >= ? AND id < ? ORDER BY id FETCH FIRST 1 ROWS ONLY")) {
            q.setLong(1, SampleKey.bound(host, 0));
            q.setLong(2, SampleKey.bound(host + 1, 0));
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    oldest = SampleKey.ts(rs.getLong(1));
                }
            }
        }
        return oldest != null ? Rollups.floor(oldest, Rollups.MINUTE) : closed;
    }

    private static Long single(Connection c, String sql, long host) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setLong(1, host);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    long v = rs.getLong(1);
                    return rs.wasNull() ? null : v;
                }
                return null;
            }
        }
    }

    /** Recomputes the host's minutes in [from, to) and the hours they fall in; returns {minutes, hours}. */
    /**
     * History imported from before raw retention: its raw rows are deleted at the next retention
     * round, so its minutes are rolled up now. Insert-only: a minute or hour that already has a
     * rollup keeps it (the import skips minutes that have one, so this only fills gaps), because
     * the raw rows behind an existing old rollup are gone and re-rolling would lose them.
     */
    private static void backfill(Connection c, long host, long from, long to) throws SQLException {
        List<Bucket> minutes = Rollups.ofRaw(previous(c, host, from), raw(c, host, from, to), Rollups.MINUTE);
        if (minutes.isEmpty()) {
            return;
        }
        java.util.Set<Long> haveMinutes = existing(c, "samples_1m", host, from, to);
        long hourFrom = Rollups.floor(from, Rollups.HOUR);
        long hourTo = Rollups.floor(to - 1, Rollups.HOUR) + Rollups.HOUR;
        java.util.Set<Long> haveHours = existing(c, "samples_1h", host, hourFrom, hourTo);
        java.util.Map<Long, List<Bucket>> newHours = new java.util.TreeMap<>();
        try (PreparedStatement ins = c.prepareStatement(Rows.insertBucket("samples_1m"))) {
            for (Bucket b : minutes) {
                if (haveMinutes.contains(b.ts())) {
                    continue;
                }
                Rows.bindBucket(ins, host, b);
                ins.addBatch();
                long hour = Rollups.floor(b.ts(), Rollups.HOUR);
                if (!haveHours.contains(hour)) {
                    newHours.computeIfAbsent(hour, h -> new ArrayList<>()).add(b);
                }
            }
            ins.executeBatch();
        }
        try (PreparedStatement ins = c.prepareStatement(Rows.insertBucket("samples_1h"))) {
            for (var e : newHours.entrySet()) {
                Rows.bindBucket(ins, host, Rollups.merge(e.getKey(), e.getValue()));
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    private static java.util.Set<Long> existing(Connection c, String table, long host, long from, long to)
            throws SQLException {
        java.util.Set<Long> out = new java.util.HashSet<>();
        try (PreparedStatement q = c.prepareStatement(
                "SELECT ts FROM " + table + " WHERE host_ref = ? AND ts >= ? AND ts < ?")) {
            q.setLong(1, host);
            q.setLong(2, from);
            q.setLong(3, to);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private static int[] rollHost(Connection c, long host, long from, long to) throws SQLException {
        List<Bucket> minutes = Rollups.ofRaw(previous(c, host, from), raw(c, host, from, to), Rollups.MINUTE);
        replace(c, "samples_1m", host, from, to, minutes);

        long hourFrom = Rollups.floor(from, Rollups.HOUR);
        long hourTo = Rollups.floor(to - 1, Rollups.HOUR) + Rollups.HOUR;
        List<Bucket> hours = new ArrayList<>();
        List<Bucket> parts = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(Rows.bucketRange("samples_1m"))) {
            q.setLong(1, host);
            q.setLong(2, hourFrom);
            q.setLong(3, hourTo);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    Bucket m = Rows.bucket(rs, 1);
                    if (!parts.isEmpty() && Rollups.floor(m.ts(), Rollups.HOUR) != Rollups.floor(parts.get(0).ts(), Rollups.HOUR)) {
                        hours.add(Rollups.merge(Rollups.floor(parts.get(0).ts(), Rollups.HOUR), parts));
                        parts = new ArrayList<>();
                    }
                    parts.add(m);
                }
            }
        }
        if (!parts.isEmpty()) {
            hours.add(Rollups.merge(Rollups.floor(parts.get(0).ts(), Rollups.HOUR), parts));
        }
        replace(c, "samples_1h", host, hourFrom, hourTo, hours);
        return new int[] {minutes.size(), hours.size()};
    }

    private static Optional<Counters> previous(Connection c, long host, long before) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(Rows.RAW_BEFORE)) {
            q.setLong(1, SampleKey.bound(host, 0));
            q.setLong(2, SampleKey.bound(host, before));
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    return Optional.of(Rows.raw(rs, 1).counters());
                }
            }
        }
        // The raw rows before this range have expired: the newest minute before it remembers them.
        try (PreparedStatement q = c.prepareStatement(PREVIOUS_MINUTE)) {
            q.setLong(1, host);
            q.setLong(2, before);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Counters(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                        : Optional.empty();
            }
        }
    }

    private static List<RawPoint> raw(Connection c, long host, long from, long to) throws SQLException {
        List<RawPoint> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(Rows.RAW_RANGE)) {
            q.setLong(1, SampleKey.bound(host, from));
            q.setLong(2, SampleKey.bound(host, to));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(Rows.raw(rs, 1));
                }
            }
        }
        return out;
    }

    private static void replace(Connection c, String table, long host, long from, long to, List<Bucket> buckets)
            throws SQLException {
        try (PreparedStatement del = c.prepareStatement(
                "DELETE FROM " + table + " WHERE host_ref = ? AND ts >= ? AND ts < ?")) {
            del.setLong(1, host);
            del.setLong(2, from);
            del.setLong(3, to);
            del.executeUpdate();
        }
        if (buckets.isEmpty()) {
            return;
        }
        try (PreparedStatement ins = c.prepareStatement(Rows.insertBucket(table))) {
            for (Bucket b : buckets) {
                Rows.bindBucket(ins, host, b);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }
}
