package ctfleet.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes rows older than their resolution's retention, host by host and in slices of time, so no
 * transaction holds more than {@link #MAX_ROWS_PER_COMMIT}-ish rows: one giant DELETE would build
 * an undo log of millions of rows and stall ingest behind it.
 */
public final class RetentionJob {
    static final int MAX_ROWS_PER_COMMIT = 20_000;

    /** Rows deleted per table by one run. */
    public record Result(long raw, long minutes, long hours, long entries) {}

    private final Database db;
    private final Retention retention;
    private final RollupBacklog backlog;

    public RetentionJob(Database db, Retention retention) {
        this(db, retention, new RollupBacklog());
    }

    /**
     * @param backlog raw rows waiting to be rolled up are kept past raw retention until they are:
     *                history imported from weeks ago arrives while a round is running, and deleting
     *                it before its rollup would lose it
     */
    public RetentionJob(Database db, Retention retention, RollupBacklog backlog) {
        this.db = db;
        this.retention = retention;
        this.backlog = backlog;
    }

    public synchronized Result run(long nowMillis) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            List<Long> hosts = hostRefs(c);
            return new Result(
                    purge(c, hosts, "samples", Key.PACKED, Math.min(nowMillis - retention.raw().toMillis(),
                            Rollups.floor(backlog.oldestPending(), Rollups.MINUTE)), Rollups.HOUR),
                    purge(c, hosts, "samples_1m", Key.HOST_AND_TS, nowMillis - retention.minute().toMillis(), 6 * Rollups.HOUR),
                    purge(c, hosts, "samples_1h", Key.HOST_AND_TS, nowMillis - retention.hour().toMillis(), 30 * 24 * Rollups.HOUR),
                    purge(c, hosts, "entry_summaries", Key.HOST_AND_TS, nowMillis - retention.entries().toMillis(), 6 * Rollups.HOUR));
        }
    }

    /**
     * Deletes each host's rows with ts < cutoff, {@code slice} of time at a time (a slice holds a
     * bounded number of one host's rows: at most 360 raw samples at 10 s per hour), committing
     * whenever enough rows piled up.
     */
    private static long purge(Connection c, List<Long> hosts, String table, Key key, long cutoff, long slice)
            throws SQLException {
        long deleted = 0;
        long pending = 0;
        // ORDER BY ... FETCH FIRST rather than MIN(ts): the primary key answers it by reading one
        // index entry instead of the host's whole range. host_ref is named in the ORDER BY although
        // it is fixed: H2 2.5 only sees that the key delivers the order when the ORDER BY spells
        // out the key's columns (measured: 1 row read instead of 9,001, and no sort).
        try (PreparedStatement oldest = c.prepareStatement("SELECT " + key.order + " FROM " + table + " WHERE " + key.range
                     + " ORDER BY " + key.order + " FETCH FIRST 1 ROWS ONLY");
             PreparedStatement del = c.prepareStatement("DELETE FROM " + table + " WHERE " + key.range)) {
            for (long host : hosts) {
                while (true) {
                    key.bind(oldest, host, Long.MIN_VALUE, Long.MAX_VALUE);
                    long from;
                    try (ResultSet rs = oldest.executeQuery()) {
                        if (!rs.next() || (from = key.ts(rs)) >= cutoff) {
                            break;
                        }
                    }
                    // Re-reading the oldest row after each slice skips over gaps (a host that was
                    // away for a month, a sample stamped by a clock set to 1970) in one step.
                    key.bind(del, host, from, Math.min(cutoff, from + slice));
                    int n = del.executeUpdate();
                    deleted += n;
                    pending += n;
                    if (pending >= MAX_ROWS_PER_COMMIT) {
                        c.commit();
                        pending = 0;
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
        return deleted;
    }

    /** How a table's rows of one host with {@code from <= ts < to} are found on its primary key. */
    private enum Key {
        HOST_AND_TS("host_ref = ? AND ts >= ? AND ts < ?", "host_ref, ts") {
            @Override
            void bind(PreparedStatement q, long host, long from, long to) throws SQLException {
                q.setLong(1, host);
                q.setLong(2, from);
                q.setLong(3, to);
            }

            @Override
            long ts(ResultSet oldest) throws SQLException {
                return oldest.getLong(2);
            }
        },
        /** Raw samples: one packed BIGINT, host_ref * 2^42 + ts ({@link SampleKey}). */
        PACKED("id >= ? AND id < ?", "id") {
            @Override
            void bind(PreparedStatement q, long host, long from, long to) throws SQLException {
                q.setLong(1, SampleKey.bound(host, from));
                q.setLong(2, SampleKey.bound(host, to));
            }

            @Override
            long ts(ResultSet oldest) throws SQLException {
                return SampleKey.ts(oldest.getLong(1));
            }
        };

        final String range;
        final String order;

        Key(String range, String order) {
            this.range = range;
            this.order = order;
        }

        abstract void bind(PreparedStatement q, long host, long from, long to) throws SQLException;

        /** The time of the row the "oldest" query found (it selects the {@link #order} columns). */
        abstract long ts(ResultSet oldest) throws SQLException;
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
}
