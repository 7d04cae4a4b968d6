package ctfleet.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.OptionalDouble;

/** Column lists and row mapping shared by the readers and jobs of raw samples and rollups. */
final class Rows {
    /** The first column is the packed key ({@link SampleKey}): samples store ts only there. */
    static final String RAW = "id, status, ct_count, ct_max, boot, drop_total, early_drop, insert_failed, invalid";
    static final int RAW_COLUMNS = 9;

    static final String BUCKET = "ts, n, count_min, count_max, count_sum, max_max, fill_max, drop_inc,"
            + " early_drop_inc, insert_failed_inc, invalid_inc, last_ts, last_boot, last_drop, last_early_drop,"
            + " last_insert_failed, last_invalid";
    static final int BUCKET_COLUMNS = 17;

    /** One host's raw rows in a key range [?, ?) (bounds from {@link SampleKey#bound}), oldest first. */
    static final String RAW_RANGE = "SELECT " + RAW + " FROM samples WHERE id >= ? AND id < ? ORDER BY id";
    /** The newest raw row in a key range [?, ?): the sample just before a range. */
    static final String RAW_BEFORE = "SELECT " + RAW
            + " FROM samples WHERE id >= ? AND id < ? ORDER BY id DESC FETCH FIRST 1 ROWS ONLY";

    /**
     * One host's rollup rows with ts in [?, ?), oldest first; parameters host_ref, from, to. ORDER BY
     * names host_ref too: otherwise H2 reads the host's whole range and sorts it.
     */
    static String bucketRange(String table) {
        return "SELECT " + BUCKET + " FROM " + table + " WHERE host_ref = ? AND ts >= ? AND ts < ? ORDER BY host_ref, ts";
    }

    /**
     * The last sample time of one host's newest rollup row before ?: where the first bucket of a
     * range starts covering. Parameters host_ref, ts.
     */
    static String bucketBefore(String table) {
        return "SELECT last_ts FROM " + table + " WHERE host_ref = ? AND ts < ? ORDER BY host_ref, ts DESC"
                + " FETCH FIRST 1 ROWS ONLY";
    }

    private Rows() {}

    /** Reads a raw row whose {@link #RAW} columns start at {@code at}. */
    static RawPoint raw(ResultSet rs, int at) throws SQLException {
        return new RawPoint(SampleKey.ts(rs.getLong(at)), rs.getShort(at + 1) == 1, rs.getLong(at + 2), rs.getLong(at + 3),
                new Counters(rs.getInt(at + 4), rs.getLong(at + 5), rs.getLong(at + 6), rs.getLong(at + 7),
                        rs.getLong(at + 8)));
    }

    /** Reads a rollup row whose {@link #BUCKET} columns start at {@code at}. */
    static Bucket bucket(ResultSet rs, int at) throws SQLException {
        double fill = rs.getDouble(at + 6);
        OptionalDouble fillMax = rs.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(fill);
        Counters inc = new Counters(rs.getInt(at + 12), rs.getLong(at + 7), rs.getLong(at + 8), rs.getLong(at + 9),
                rs.getLong(at + 10));
        Counters last = new Counters(rs.getInt(at + 12), rs.getLong(at + 13), rs.getLong(at + 14),
                rs.getLong(at + 15), rs.getLong(at + 16));
        return new Bucket(rs.getLong(at), rs.getInt(at + 1), rs.getLong(at + 2), rs.getLong(at + 3),
                rs.getLong(at + 4), rs.getLong(at + 5), fillMax, inc, rs.getLong(at + 11), last);
    }

    static String insertBucket(String table) {
        return "INSERT INTO " + table + " (host_ref, " + BUCKET + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?)";
    }

    static void bindBucket(PreparedStatement ps, long hostRef, Bucket b) throws SQLException {
        ps.setLong(1, hostRef);
        ps.setLong(2, b.ts());
        ps.setInt(3, b.n());
        ps.setLong(4, b.countMin());
        ps.setLong(5, b.countMax());
        ps.setLong(6, b.countSum());
        ps.setLong(7, b.maxMax());
        if (b.fillMax().isPresent()) {
            ps.setDouble(8, b.fillMax().getAsDouble());
        } else {
            ps.setNull(8, Types.DOUBLE);
        }
        ps.setLong(9, b.increases().drop());
        ps.setLong(10, b.increases().earlyDrop());
        ps.setLong(11, b.increases().insertFailed());
        ps.setLong(12, b.increases().invalid());
        ps.setLong(13, b.lastTs());
        ps.setInt(14, b.last().boot());
        ps.setLong(15, b.last().drop());
        ps.setLong(16, b.last().earlyDrop());
        ps.setLong(17, b.last().insertFailed());
        ps.setLong(18, b.last().invalid());
    }
}
