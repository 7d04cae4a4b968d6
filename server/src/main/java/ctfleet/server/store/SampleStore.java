package ctfleet.server.store;

import com.google.gson.Gson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
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

    public record Write(long hostRef, SampleRow row, long receivedAt, SampleSource source) {
        /** A live agent's sample. */
        public Write(long hostRef, SampleRow row, long receivedAt) {
            this(hostRef, row, receivedAt, SampleSource.AGENT);
        }
    }

    private final Database db;
    private final RollupBacklog backlog;
    private final SampleListener recent;

    public SampleStore(Database db) {
        this(db, new RollupBacklog());
    }

    /** {@code backlog} learns each stored sample, so the rollup job can redo minutes that got late ones. */
    public SampleStore(Database db, RollupBacklog backlog) {
        this(db, backlog, RecentRaw.NONE);
    }

    /** {@code recent} learns each stored sample, and each import, so in-memory views stay current. */
    public SampleStore(Database db, RollupBacklog backlog, SampleListener recent) {
        this.db = db;
        this.backlog = backlog;
        this.recent = recent;
    }

    /**
     * Writes a batch in one transaction and returns one outcome per write, in order. An exact
     * re-send of a stored (host, ts) is a DUPLICATE (a no-op); different values for a stored key are
     * a CONFLICT, not stored, and counted on the host.
     */
    public List<Outcome> write(List<Write> batch) throws SQLException {
        List<Outcome> out;
        try {
            out = writeBatch(batch);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
        db.health().wrote();
        return out;
    }

    private List<Outcome> writeBatch(List<Write> batch) throws SQLException {
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
                        Write w = batch.get(i);
                        backlog.stored(w.hostRef(), w.row().ts());
                        recent.stored(w.hostRef(), rawPoint(w.row()));
                    }
                }
                return out;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Live samples are almost always new keys, so the batch is first tried as plain multi-row
     * INSERTs; only when a key is already stored (a replay after a lost ack, or a re-send within
     * the batch) does the batch go row by row. The savepoint undoes the failed attempt on both H2
     * and PostgreSQL (where a failed statement would otherwise abort the whole transaction).
     */
    private static List<Outcome> insert(Connection c, List<Write> batch) throws SQLException {
        Savepoint before = c.setSavepoint();
        try {
            insertRows(c, batch);
            c.releaseSavepoint(before);
            return new ArrayList<>(java.util.Collections.nCopies(batch.size(), Outcome.STORED));
        } catch (SQLException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            c.rollback(before);
        }
        return insertOneByOne(c, batch);
    }

    // SQLSTATE 23505 (unique violation) is standard: H2 and PostgreSQL both report it, on the
    // batch exception itself or on the exception it chains.
    private static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (SQLException s = t instanceof SQLException q ? q : null; s != null; s = s.getNextException()) {
                if ("23505".equals(s.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    // INSERT ... SELECT ... WHERE NOT EXISTS rather than MERGE or ON CONFLICT: the same statement
    // works on H2 and PostgreSQL, and a re-sent key is a zero update count instead of an error that
    // would abort the whole batch.
    private static final String INSERT = "INSERT INTO samples (status, ct_count, ct_max,"
            + " boot, drop_total, early_drop, insert_failed, invalid, source, id)"
            + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (VALUES (0)) AS one (x)"
            + " WHERE NOT EXISTS (SELECT 1 FROM samples WHERE id = ?)";

    private static List<Outcome> insertOneByOne(Connection c, List<Write> batch) throws SQLException {
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Write w : batch) {
                bindRow(ps, w);
                ps.setLong(COLUMNS + 1, SampleKey.of(w.hostRef(), w.row().ts()));
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

    private static final String STORED_VALUES = "SELECT status, ct_count, ct_max, boot, drop_total,"
            + " early_drop, insert_failed, invalid, id FROM samples WHERE ";

    private static Outcome compare(Connection c, Write w) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(STORED_VALUES + "id = ?")) {
            q.setLong(1, SampleKey.of(w.hostRef(), w.row().ts()));
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    // Another batch of this key within this very batch: the first one wins.
                    return Outcome.DUPLICATE;
                }
                return same(stored(rs), w.row()) ? Outcome.DUPLICATE : Outcome.CONFLICT;
            }
        }
    }

    /** The columns a stored sample is compared on, in {@link #STORED_VALUES} order. */
    private static long[] stored(ResultSet rs) throws SQLException {
        long[] v = new long[8];
        for (int i = 0; i < v.length; i++) {
            v[i] = rs.getLong(i + 1);
        }
        return v;
    }

    private static boolean same(long[] v, SampleRow r) {
        return v[0] == (r.loaded() ? 1 : 2) && v[1] == r.count() && v[2] == r.max()
                && v[3] == r.bootId().hashCode() && v[4] == r.stat("drop") && v[5] == r.stat("early_drop")
                && v[6] == r.stat("insert_failed") && v[7] == r.stat("invalid");
    }

    /**
     * One host's imported rows in one transaction, for bulk history: the keys already stored in the
     * rows' time range are read with one query and compared in memory, and only new rows are
     * inserted, with a plain INSERT. The per-row "WHERE NOT EXISTS" and re-read of {@link #write}
     * cost most of its time, and an import of 30 days of a fleet is tens of millions of rows.
     *
     * <p>If another writer stores one of these keys meanwhile, the insert fails on the primary key
     * and the whole call rolls back: the caller retries through {@link #write}.
     *
     * @param rolledUpBefore rows older than this are past raw retention: when their minute already has
     *                       a 1-minute rollup, they were stored (or live data covered them) and have
     *                       since expired from the raw table, so they count as already stored instead
     *                       of coming back for one more round of rollup and expiry
     */
    public List<Outcome> importRows(long hostRef, List<SampleRow> rows, long receivedAt, long rolledUpBefore)
            throws SQLException {
        try {
            List<Outcome> out = importBatch(hostRef, rows, receivedAt, rolledUpBefore);
            db.health().wrote();
            return out;
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    private List<Outcome> importBatch(long hostRef, List<SampleRow> rows, long receivedAt, long rolledUpBefore)
            throws SQLException {
        if (rows.isEmpty()) {
            return List.of();
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (SampleRow r : rows) {
            min = Math.min(min, r.ts());
            max = Math.max(max, r.ts());
        }
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                var existing = new java.util.HashMap<Long, long[]>();
                try (PreparedStatement q = c.prepareStatement(STORED_VALUES + "id BETWEEN ? AND ?")) {
                    q.setLong(1, SampleKey.of(hostRef, min));
                    q.setLong(2, SampleKey.of(hostRef, max));
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            existing.put(SampleKey.ts(rs.getLong(9)), stored(rs));
                        }
                    }
                }
                var rolledUp = new java.util.HashSet<Long>();
                if (min < rolledUpBefore) {
                    try (PreparedStatement q = c.prepareStatement(
                            "SELECT ts FROM samples_1m WHERE host_ref = ? AND ts BETWEEN ? AND ?")) {
                        q.setLong(1, hostRef);
                        q.setLong(2, Rollups.floor(min, Rollups.MINUTE));
                        q.setLong(3, Math.min(max, rolledUpBefore));
                        try (ResultSet rs = q.executeQuery()) {
                            while (rs.next()) {
                                rolledUp.add(rs.getLong(1));
                            }
                        }
                    }
                }
                List<Write> writes = new ArrayList<>(rows.size());
                List<Outcome> out = new ArrayList<>(rows.size());
                List<Write> fresh = new ArrayList<>(rows.size());
                var inserted = new java.util.HashSet<Long>();
                for (SampleRow r : rows) {
                    Write w = new Write(hostRef, r, receivedAt, SampleSource.IMPORT);
                    writes.add(w);
                    long[] old = existing.get(r.ts());
                    if (old == null && r.ts() < rolledUpBefore
                            && rolledUp.contains(Rollups.floor(r.ts(), Rollups.MINUTE))) {
                        out.add(Outcome.DUPLICATE);
                    } else if (old != null) {
                        out.add(same(old, r) ? Outcome.DUPLICATE : Outcome.CONFLICT);
                    } else if (!inserted.add(r.ts())) {
                        out.add(Outcome.DUPLICATE); // the same instant twice in one call: the first wins
                    } else {
                        fresh.add(w);
                        out.add(Outcome.STORED);
                    }
                }
                insertRows(c, fresh);
                updateLatest(c, writes, out);
                countConflicts(c, writes, out);
                c.commit();
                // Imported history needs its minutes and hours rolled up like live samples.
                for (Write w : fresh) {
                    backlog.stored(w.hostRef(), w.row().ts());
                }
                if (!fresh.isEmpty()) {
                    recent.forget(hostRef); // rows anywhere in its history: cheaper to read it again
                }
                return out;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static final String INSERT_ROWS = "INSERT INTO samples (status, ct_count, ct_max,"
            + " boot, drop_total, early_drop, insert_failed, invalid, source, id) VALUES ";
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final int ROWS_PER_STATEMENT = 100;

    // Multi-row VALUES (standard SQL, H2 and PostgreSQL): far fewer statement executions than a
    // batch of single-row inserts.
    private static void insertRows(Connection c, List<Write> rows) throws SQLException {
        int full = rows.size() / ROWS_PER_STATEMENT * ROWS_PER_STATEMENT;
        if (full > 0) {
            try (PreparedStatement ps = c.prepareStatement(INSERT_ROWS
                    + String.join(", ", java.util.Collections.nCopies(ROWS_PER_STATEMENT, ROW)))) {
                for (int from = 0; from < full; from += ROWS_PER_STATEMENT) {
                    for (int i = 0; i < ROWS_PER_STATEMENT; i++) {
                        bindRow(ps, i * COLUMNS, rows.get(from + i));
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (full < rows.size()) {
            try (PreparedStatement ps = c.prepareStatement(INSERT_ROWS + ROW)) {
                for (int i = full; i < rows.size(); i++) {
                    bindRow(ps, 0, rows.get(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static void bindRow(PreparedStatement ps, Write w) throws SQLException {
        bindRow(ps, 0, w);
    }

    private static void bindRow(PreparedStatement ps, int at, Write w) throws SQLException {
        SampleRow r = w.row();
        ps.setShort(at + 1, (short) (r.loaded() ? 1 : 2));
        ps.setLong(at + 2, r.count());
        ps.setLong(at + 3, r.max());
        ps.setInt(at + 4, r.bootId().hashCode());
        ps.setLong(at + 5, r.stat("drop"));
        ps.setLong(at + 6, r.stat("early_drop"));
        ps.setLong(at + 7, r.stat("insert_failed"));
        ps.setLong(at + 8, r.stat("invalid"));
        ps.setShort(at + 9, w.source().code);
        ps.setLong(at + 10, SampleKey.of(w.hostRef(), r.ts()));
    }

    /** A row as {@link Rows#raw} reads it back. */
    private static RawPoint rawPoint(SampleRow r) {
        return new RawPoint(r.ts(), r.loaded(), r.count(), r.max(), new Counters(r.bootId().hashCode(),
                r.stat("drop"), r.stat("early_drop"), r.stat("insert_failed"), r.stat("invalid")));
    }

    /** Parameters {@link #bindRow(PreparedStatement, int, Write)} sets per row. */
    private static final int COLUMNS = 10;

    private static void updateLatest(Connection c, List<Write> batch, List<Outcome> out) throws SQLException {
        // Imports first, so that a live sample in the same batch still ends up as the latest state.
        updateLatest(c, batch, out, SampleSource.IMPORT);
        updateLatest(c, batch, out, SampleSource.AGENT);
    }

    // A live sample moves the latest state forward, and always replaces an imported one: once an
    // agent reports, the host is live. An imported sample moves only an imported latest state
    // forward, so importing history never hides what a live agent said.
    // SET expressions read the row as it was (standard SQL, H2 and PostgreSQL): prev_* get the
    // replaced sample's values.
    private static final String UPDATE_LATEST = "UPDATE host_latest SET prev_stats = stats, prev_ts = ts,"
            + " prev_boot_id = boot_id, ts = ?, received_at = ?, status = ?,"
            + " ct_count = ?, ct_max = ?, ct_buckets = ?, expect_max = ?, acct = ?, boot_id = ?, stats = ?,"
            + " bytes_per_entry = ?, bytes_estimated = ?, source = ?,"
            + " mem_total_bytes = COALESCE(CAST(? AS BIGINT), mem_total_bytes),"
            + " entries = CASE WHEN ? = '' THEN entries ELSE ? END WHERE host_ref = ? AND ";
    private static final String LIVE_WINS = "(ts < ? OR source <> 0)";
    private static final String IMPORT_NEVER_OVER_LIVE = "ts < ? AND source <> 0";

    private static void updateLatest(Connection c, List<Write> batch, List<Outcome> out, SampleSource source)
            throws SQLException {
        // Only the newest stored sample of each host in this batch, and only if newer than the table's.
        var newest = new java.util.LinkedHashMap<Long, Write>();
        // Timeouts ride only in a stream's first sample (and when they change), which is rarely the
        // newest of its batch: an agent replaying its spool sends it with the samples after it.
        var newestTimeouts = new java.util.LinkedHashMap<Long, Write>();
        for (int i = 0; i < batch.size(); i++) {
            Write w = batch.get(i);
            if (out.get(i) == Outcome.STORED && w.source() == source) {
                newest.merge(w.hostRef(), w, (a, b) -> b.row().ts() > a.row().ts() ? b : a);
                if (!w.row().timeouts().isEmpty()) {
                    newestTimeouts.merge(w.hostRef(), w, (a, b) -> b.row().ts() > a.row().ts() ? b : a);
                }
            }
        }
        if (newest.isEmpty()) {
            return;
        }
        List<Write> writes = new ArrayList<>(newest.values());
        int[] updated;
        try (PreparedStatement up = c.prepareStatement(UPDATE_LATEST
                        + (source == SampleSource.AGENT ? LIVE_WINS : IMPORT_NEVER_OVER_LIVE));
             PreparedStatement timeouts = c.prepareStatement("UPDATE hosts SET timeouts = ? WHERE id = ?")) {
            for (Write w : writes) {
                SampleRow r = w.row();
                bindLatest(up, w);
                up.setString(15, r.entries());
                up.setString(16, r.entries());
                up.setLong(17, w.hostRef());
                up.setLong(18, r.ts());
                up.addBatch();
            }
            updated = up.executeBatch();
            for (Write w : newestTimeouts.values()) {
                timeouts.setString(1, GSON.toJson(w.row().timeouts()));
                timeouts.setLong(2, w.hostRef());
                timeouts.addBatch();
            }
            if (!newestTimeouts.isEmpty()) {
                timeouts.executeBatch();
            }
        }
        // No row updated: the host has no latest state yet (its first sample), or a newer or live
        // one that must stay; the insert tells the two apart by itself.
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO host_latest (ts, received_at, status, ct_count, ct_max, ct_buckets, expect_max, acct,"
                        + " boot_id, stats, bytes_per_entry, bytes_estimated, source, mem_total_bytes, entries,"
                        + " host_ref)"
                        + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), ?, ? FROM (VALUES (0)) AS one (x)"
                        + " WHERE NOT EXISTS (SELECT 1 FROM host_latest WHERE host_ref = ?)")) {
            boolean any = false;
            for (int i = 0; i < writes.size(); i++) {
                if (updated[i] != 0) {
                    continue;
                }
                Write w = writes.get(i);
                bindLatest(ins, w);
                ins.setString(15, w.row().entries());
                ins.setLong(16, w.hostRef());
                ins.setLong(17, w.hostRef());
                ins.addBatch();
                any = true;
            }
            if (any) {
                ins.executeBatch();
            }
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
        ps.setShort(13, w.source().code);
        // Unknown memory is NULL: the update keeps the last known value, an insert stores unknown.
        if (r.memTotalBytes().isPresent()) {
            ps.setLong(14, r.memTotalBytes().getAsLong());
        } else {
            ps.setNull(14, java.sql.Types.BIGINT);
        }
    }

    /**
     * Timestamps of a host's live (agent) samples in {@code [from, to]}, ascending: what an import
     * must not duplicate with samples of its own at nearby times.
     */
    public long[] liveTimestamps(long hostRef, long from, long to) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement q = c.prepareStatement(
                "SELECT id FROM samples WHERE id BETWEEN ? AND ? AND source = 0 ORDER BY id")) {
            q.setLong(1, SampleKey.bound(hostRef, from));
            q.setLong(2, SampleKey.bound(hostRef, to));
            long[] ts = new long[64];
            int n = 0;
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (n == ts.length) {
                        ts = java.util.Arrays.copyOf(ts, n * 2);
                    }
                    ts[n++] = SampleKey.ts(rs.getLong(1));
                }
            }
            return java.util.Arrays.copyOf(ts, n);
        }
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
