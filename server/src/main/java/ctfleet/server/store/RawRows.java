package ctfleet.server.store;

import ctfleet.server.fleet.BootChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code samples} table's rows, for both writers: inserting them, and telling a re-send from a
 * conflict by comparing a stored row's values with a new one's.
 */
final class RawRows {
    private RawRows() {}

    /**
     * Live samples are almost always new keys, so the batch is first tried as plain multi-row
     * INSERTs; only when a key is already stored (a replay after a lost ack, or a re-send within
     * the batch) does the batch go row by row. The savepoint undoes the failed attempt on both H2
     * and PostgreSQL (where a failed statement would otherwise abort the whole transaction).
     */
    static List<WriteOutcome> insert(Connection c, List<SampleWrite> batch) throws SQLException {
        Savepoint before = c.setSavepoint();
        try {
            insertNew(c, batch);
            c.releaseSavepoint(before);
            return new ArrayList<>(Collections.nCopies(batch.size(), WriteOutcome.STORED));
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
            + " boot, drop_total, early_drop, insert_failed, invalid, carried, source, id)"
            + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (VALUES (0)) AS one (x)"
            + " WHERE NOT EXISTS (SELECT 1 FROM samples WHERE id = ?)";

    private static List<WriteOutcome> insertOneByOne(Connection c, List<SampleWrite> batch) throws SQLException {
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (SampleWrite w : batch) {
                bind(ps, 0, w);
                ps.setLong(COLUMNS + 1, SampleKey.of(w.hostRef(), w.row().ts()));
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        List<WriteOutcome> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(counts[i] == 1 ? WriteOutcome.STORED : compare(c, batch.get(i)));
        }
        return out;
    }

    private static final String STORED_VALUES = "SELECT status, ct_count, ct_max, boot, drop_total,"
            + " early_drop, insert_failed, invalid, carried, id FROM samples WHERE ";

    private static WriteOutcome compare(Connection c, SampleWrite w) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(STORED_VALUES + "id = ?")) {
            q.setLong(1, SampleKey.of(w.hostRef(), w.row().ts()));
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    // Another batch of this key within this very batch: the first one wins.
                    return WriteOutcome.DUPLICATE;
                }
                return same(stored(rs), w.row()) ? WriteOutcome.DUPLICATE : WriteOutcome.CONFLICT;
            }
        }
    }

    /** The stored values of a host's rows in [from, to], by timestamp: one query for a whole import. */
    static Map<Long, long[]> storedBetween(Connection c, long hostRef, long from, long to) throws SQLException {
        Map<Long, long[]> existing = new HashMap<>();
        try (PreparedStatement q = c.prepareStatement(STORED_VALUES + "id BETWEEN ? AND ?")) {
            q.setLong(1, SampleKey.of(hostRef, from));
            q.setLong(2, SampleKey.of(hostRef, to));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    existing.put(SampleKey.ts(rs.getLong(10)), stored(rs));
                }
            }
        }
        return existing;
    }

    /** The columns a stored sample is compared on, in {@link #STORED_VALUES} order. */
    private static long[] stored(ResultSet rs) throws SQLException {
        long[] v = new long[9];
        for (int i = 0; i < v.length; i++) {
            v[i] = rs.getLong(i + 1);
        }
        return v;
    }

    /**
     * Whether stored values (from {@link #storedBetween}) are those of {@code r}: a re-send, not a
     * conflict. A counter the sample did not report is compared as not reported, never by the value
     * carried into it, which depends on the samples around it (CarriedCounters).
     */
    static boolean same(long[] v, SampleRow r) {
        int missing = CounterCarry.missing(r);
        if (v[0] != (r.loaded() ? 1 : 2) || v[1] != r.count() || v[2] != r.max()
                || !sameBoot((int) v[3], r.bootId()) || v[8] != missing) {
            return false;
        }
        for (int i = 0; i < CounterCarry.NAMES.length; i++) {
            if ((missing & 1 << i) == 0 && v[4 + i] != r.stat(CounterCarry.NAMES[i])) {
                return false;
            }
        }
        return true;
    }

    // Samples imported before boot codes had kinds were stored with the id's plain hash: a re-import
    // of them is a duplicate, not a conflict.
    private static boolean sameBoot(int stored, String bootId) {
        return stored == BootChange.code(bootId) || stored == bootId.hashCode();
    }

    private static final String INSERT_ROWS = "INSERT INTO samples (status, ct_count, ct_max,"
            + " boot, drop_total, early_drop, insert_failed, invalid, carried, source, id) VALUES ";
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final int ROWS_PER_STATEMENT = 100;
    /** Parameters {@link #bind} sets per row. */
    private static final int COLUMNS = 11;

    /**
     * Inserts rows whose keys are new (a duplicate key fails the statement). Multi-row VALUES
     * (standard SQL, H2 and PostgreSQL): far fewer statement executions than a batch of single-row inserts.
     */
    static void insertNew(Connection c, List<SampleWrite> rows) throws SQLException {
        int full = rows.size() / ROWS_PER_STATEMENT * ROWS_PER_STATEMENT;
        if (full > 0) {
            try (PreparedStatement ps = c.prepareStatement(INSERT_ROWS
                    + String.join(", ", Collections.nCopies(ROWS_PER_STATEMENT, ROW)))) {
                for (int from = 0; from < full; from += ROWS_PER_STATEMENT) {
                    for (int i = 0; i < ROWS_PER_STATEMENT; i++) {
                        bind(ps, i * COLUMNS, rows.get(from + i));
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (full < rows.size()) {
            try (PreparedStatement ps = c.prepareStatement(INSERT_ROWS + ROW)) {
                for (int i = full; i < rows.size(); i++) {
                    bind(ps, 0, rows.get(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static void bind(PreparedStatement ps, int at, SampleWrite w) throws SQLException {
        SampleRow r = w.row();
        ps.setShort(at + 1, (short) (r.loaded() ? 1 : 2));
        ps.setLong(at + 2, r.count());
        ps.setLong(at + 3, r.max());
        ps.setInt(at + 4, BootChange.code(r.bootId()));
        ps.setLong(at + 5, r.stat("drop"));
        ps.setLong(at + 6, r.stat("early_drop"));
        ps.setLong(at + 7, r.stat("insert_failed"));
        ps.setLong(at + 8, r.stat("invalid"));
        // An unreported counter goes in as 0 and gets its carried value once the rows around it are
        // known (CarriedCounters, in the same transaction).
        ps.setShort(at + 9, (short) CounterCarry.missing(r));
        ps.setShort(at + 10, w.source().code);
        ps.setLong(at + 11, SampleKey.of(w.hostRef(), r.ts()));
    }

    /** A row as {@link Rows#raw} reads it back: what the read caches keep. */
    static RawPoint point(SampleRow r) {
        return new RawPoint(r.ts(), r.loaded(), r.count(), r.max(), new Counters(BootChange.code(r.bootId()),
                r.stat("drop"), r.stat("early_drop"), r.stat("insert_failed"), r.stat("invalid")));
    }

    /**
     * Timestamps of a host's live (agent) samples in {@code [from, to]}, ascending: what an import
     * must not duplicate with samples of its own at nearby times.
     */
    static long[] liveTimestamps(Connection c, long hostRef, long from, long to) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
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
}
