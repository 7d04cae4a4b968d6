package ctfleet.server.store;

import com.google.gson.Gson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes samples: raw rows, idempotent on (host, ts), each host's latest state, and at most one
 * entry breakdown per host per minute.
 */
public final class SampleStore {
    private static final Gson GSON = new Gson();

    /** What became of one written sample. */
    public enum Outcome { STORED, DUPLICATE, CONFLICT }

    public record Write(long hostRef, SampleRow row, long receivedAt) {}

    private final Database db;
    private final RollupBacklog backlog;

    public SampleStore(Database db) {
        this(db, new RollupBacklog());
    }

    /** {@code backlog} learns each stored sample, so the rollup job can redo minutes that got late ones. */
    public SampleStore(Database db, RollupBacklog backlog) {
        this.db = db;
        this.backlog = backlog;
    }

    /**
     * Writes a batch in one transaction and returns one outcome per write, in order. An exact
     * re-send of a stored (host, ts) is a DUPLICATE (a no-op); different values for a stored key are
     * a CONFLICT, not stored, and counted on the host.
     */
    public List<Outcome> write(List<Write> batch) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                List<Outcome> out = insert(c, batch);
                updateLatest(c, batch, out);
                countConflicts(c, batch, out);
                summarizeEntries(c, batch, out);
                c.commit();
                for (int i = 0; i < batch.size(); i++) {
                    if (out.get(i) == Outcome.STORED) {
                        backlog.stored(batch.get(i).hostRef(), batch.get(i).row().ts());
                    }
                }
                return out;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    // INSERT ... SELECT ... WHERE NOT EXISTS rather than MERGE or ON CONFLICT: the same statement
    // works on H2 and PostgreSQL, and a re-sent key is a zero update count instead of an error that
    // would abort the whole batch.
    private static final String INSERT = "INSERT INTO samples (host_ref, ts, status, ct_count, ct_max, ct_buckets,"
            + " boot, drop_total, early_drop, insert_failed, invalid)"
            + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (VALUES (0)) AS one (x)"
            + " WHERE NOT EXISTS (SELECT 1 FROM samples WHERE host_ref = ? AND ts = ?)";

    private static List<Outcome> insert(Connection c, List<Write> batch) throws SQLException {
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Write w : batch) {
                SampleRow r = w.row();
                ps.setLong(1, w.hostRef());
                ps.setLong(2, r.ts());
                ps.setShort(3, (short) (r.loaded() ? 1 : 2));
                ps.setLong(4, r.count());
                ps.setLong(5, r.max());
                ps.setLong(6, r.buckets());
                ps.setInt(7, r.bootId().hashCode());
                ps.setLong(8, r.stat("drop"));
                ps.setLong(9, r.stat("early_drop"));
                ps.setLong(10, r.stat("insert_failed"));
                ps.setLong(11, r.stat("invalid"));
                ps.setLong(12, w.hostRef());
                ps.setLong(13, r.ts());
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        List<Outcome> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(counts[i] == 1 ? Outcome.STORED : compare(c, batch.get(i)));
        }
        return out;
    }

    private static Outcome compare(Connection c, Write w) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "SELECT status, ct_count, ct_max, ct_buckets, boot, drop_total, early_drop, insert_failed, invalid"
                        + " FROM samples WHERE host_ref = ? AND ts = ?")) {
            q.setLong(1, w.hostRef());
            q.setLong(2, w.row().ts());
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    // Another batch of this key within this very batch: the first one wins.
                    return Outcome.DUPLICATE;
                }
                SampleRow r = w.row();
                boolean same = rs.getShort(1) == (r.loaded() ? 1 : 2)
                        && rs.getLong(2) == r.count() && rs.getLong(3) == r.max() && rs.getLong(4) == r.buckets()
                        && rs.getInt(5) == r.bootId().hashCode()
                        && rs.getLong(6) == r.stat("drop") && rs.getLong(7) == r.stat("early_drop")
                        && rs.getLong(8) == r.stat("insert_failed") && rs.getLong(9) == r.stat("invalid");
                return same ? Outcome.DUPLICATE : Outcome.CONFLICT;
            }
        }
    }

    private static void updateLatest(Connection c, List<Write> batch, List<Outcome> out) throws SQLException {
        // Only the newest stored sample of each host in this batch, and only if newer than the table's.
        var newest = new java.util.LinkedHashMap<Long, Write>();
        for (int i = 0; i < batch.size(); i++) {
            Write w = batch.get(i);
            if (out.get(i) == Outcome.STORED) {
                newest.merge(w.hostRef(), w, (a, b) -> b.row().ts() > a.row().ts() ? b : a);
            }
        }
        if (newest.isEmpty()) {
            return;
        }
        try (PreparedStatement up = c.prepareStatement(
                "UPDATE host_latest SET ts = ?, received_at = ?, status = ?, ct_count = ?, ct_max = ?, ct_buckets = ?,"
                        + " expect_max = ?, acct = ?, boot_id = ?, stats = ?, bytes_per_entry = ?, bytes_estimated = ?,"
                        + " entries = CASE WHEN ? = '' THEN entries ELSE ? END"
                        + " WHERE host_ref = ? AND ts < ?");
             PreparedStatement ins = c.prepareStatement(
                "INSERT INTO host_latest (ts, received_at, status, ct_count, ct_max, ct_buckets, expect_max, acct,"
                        + " boot_id, stats, bytes_per_entry, bytes_estimated, entries, host_ref)"
                        + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (VALUES (0)) AS one (x)"
                        + " WHERE NOT EXISTS (SELECT 1 FROM host_latest WHERE host_ref = ?)");
             PreparedStatement timeouts = c.prepareStatement("UPDATE hosts SET timeouts = ? WHERE id = ?")) {
            for (Write w : newest.values()) {
                SampleRow r = w.row();
                bindLatest(up, w);
                up.setString(13, r.entries());
                up.setString(14, r.entries());
                up.setLong(15, w.hostRef());
                up.setLong(16, r.ts());
                up.addBatch();
                bindLatest(ins, w);
                ins.setString(13, r.entries());
                ins.setLong(14, w.hostRef());
                ins.setLong(15, w.hostRef());
                ins.addBatch();
                if (!r.timeouts().isEmpty()) {
                    timeouts.setString(1, GSON.toJson(r.timeouts()));
                    timeouts.setLong(2, w.hostRef());
                    timeouts.addBatch();
                }
            }
            up.executeBatch();
            ins.executeBatch();
            timeouts.executeBatch();
        }
    }

    private static void bindLatest(PreparedStatement ps, Write w) throws SQLException {
        SampleRow r = w.row();
        ps.setLong(1, r.ts());
        ps.setLong(2, w.receivedAt());
        ps.setShort(3, (short) (r.loaded() ? 1 : 2));
        ps.setLong(4, r.count());
        ps.setLong(5, r.max());
        ps.setLong(6, r.buckets());
        ps.setLong(7, r.expectMax());
        ps.setShort(8, (short) r.acct());
        ps.setString(9, r.bootId());
        ps.setString(10, GSON.toJson(new java.util.TreeMap<>(r.stats())));
        ps.setLong(11, r.bytesPerEntry());
        ps.setBoolean(12, r.bytesEstimated());
    }

    // The breakdown is a few KB of JSON: one per host per minute (the first of the minute) keeps a
    // week of them affordable where one per 10 s sample would dwarf the samples themselves.
    private static void summarizeEntries(Connection c, List<Write> batch, List<Outcome> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO entry_summaries (host_ref, ts, sample_ts, entries)"
                        + " SELECT ?, ?, ?, ? FROM (VALUES (0)) AS one (x)"
                        + " WHERE NOT EXISTS (SELECT 1 FROM entry_summaries WHERE host_ref = ? AND ts = ?)")) {
            boolean any = false;
            for (int i = 0; i < batch.size(); i++) {
                Write w = batch.get(i);
                if (out.get(i) != Outcome.STORED || w.row().entries().isEmpty()) {
                    continue;
                }
                long minute = Rollups.floor(w.row().ts(), Rollups.MINUTE);
                ps.setLong(1, w.hostRef());
                ps.setLong(2, minute);
                ps.setLong(3, w.row().ts());
                ps.setString(4, w.row().entries());
                ps.setLong(5, w.hostRef());
                ps.setLong(6, minute);
                ps.addBatch();
                any = true;
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    private static void countConflicts(Connection c, List<Write> batch, List<Outcome> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hosts SET conflicts = conflicts + 1 WHERE id = ?")) {
            boolean any = false;
            for (int i = 0; i < batch.size(); i++) {
                if (out.get(i) == Outcome.CONFLICT) {
                    ps.setLong(1, batch.get(i).hostRef());
                    ps.addBatch();
                    any = true;
                }
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }
}
