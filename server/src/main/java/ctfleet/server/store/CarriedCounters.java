package ctfleet.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives the counters a host's raw rows did not report their carried values ({@link CounterCarry}),
 * in the writer's transaction, after its rows were inserted.
 *
 * <p>Done after the insert and from what is stored, not from the batch alone: rows may arrive in any
 * order (an import fills the past, a late sample lands before carried ones), and a row with a
 * counter changes the carried values of its neighbours too. Only the neighbourhood is read: the
 * rows of the written range, and on each side the rows up to one that reported each counter, or up
 * to a reboot; for a live sample in order that is the sample itself and the one before it.
 */
final class CarriedCounters {
    private static final String COLUMNS = "id, boot, drop_total, early_drop, insert_failed, invalid, carried";
    private static final String RANGE = "SELECT " + COLUMNS + " FROM samples WHERE id >= ? AND id <= ? ORDER BY id";
    private static final String BEFORE = "SELECT " + COLUMNS
            + " FROM samples WHERE id >= ? AND id < ? ORDER BY id DESC FETCH FIRST ? ROWS ONLY";
    private static final String AFTER = "SELECT " + COLUMNS
            + " FROM samples WHERE id > ? AND id < ? ORDER BY id FETCH FIRST ? ROWS ONLY";
    private static final String UPDATE = "UPDATE samples SET drop_total = ?, early_drop = ?, insert_failed = ?,"
            + " invalid = ? WHERE id = ?";
    /** Rows read per query while walking away from the range: the first page nearly always ends the walk. */
    private static final int PAGE = 4;

    private CarriedCounters() {}

    /**
     * Settles the carried counters around the host's rows with ts in [from, to] and returns the rows
     * it changed, by time, with their counters as now stored.
     */
    static Map<Long, Counters> settle(Connection c, long host, long from, long to) throws SQLException {
        List<CounterCarry.Row> rows = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(RANGE)) {
            q.setLong(1, SampleKey.of(host, from));
            q.setLong(2, SampleKey.of(host, to));
            read(q, rows, Integer.MAX_VALUE);
        }
        if (rows.isEmpty()) {
            return Map.of();
        }
        List<CounterCarry.Row> before = walk(c, BEFORE, SampleKey.bound(host, 0), SampleKey.of(host, from),
                rows.get(0).boot(), true);
        List<CounterCarry.Row> after = walk(c, AFTER, SampleKey.of(host, to), SampleKey.bound(host + 1, 0),
                rows.get(rows.size() - 1).boot(), false);
        // Stopped because every counter was reported: earlier rows of this boot exist and keep theirs.
        boolean openStart = reachedAll(before);
        Collections.reverse(before);
        List<CounterCarry.Row> all = new ArrayList<>(before.size() + rows.size() + after.size());
        all.addAll(before);
        all.addAll(rows);
        all.addAll(after);
        boolean[] changed = CounterCarry.resolve(all, openStart);
        Map<Long, Counters> out = new LinkedHashMap<>();
        try (PreparedStatement up = c.prepareStatement(UPDATE)) {
            for (int k = 0; k < all.size(); k++) {
                if (!changed[k]) {
                    continue;
                }
                CounterCarry.Row r = all.get(k);
                long[] v = r.values();
                for (int i = 0; i < v.length; i++) {
                    up.setLong(i + 1, v[i]);
                }
                up.setLong(5, SampleKey.of(host, r.ts()));
                up.addBatch();
                out.put(r.ts(), new Counters(r.boot(), v[0], v[1], v[2], v[3]));
            }
            if (!out.isEmpty()) {
                up.executeBatch();
            }
        }
        return out;
    }

    /** Whether the walk back stopped because every counter was reported, not at a reboot or the first row. */
    private static boolean reachedAll(List<CounterCarry.Row> walked) {
        int pending = CounterCarry.ALL;
        for (CounterCarry.Row r : walked) {
            pending &= r.carried();
        }
        return pending == 0;
    }

    /**
     * Rows away from the range (newest first when {@code backwards}), of the boot next to it, up to
     * and including the first one by which every counter has been reported once.
     */
    private static List<CounterCarry.Row> walk(Connection c, String sql, long lo, long hi, int boot, boolean backwards)
            throws SQLException {
        List<CounterCarry.Row> out = new ArrayList<>();
        int pending = CounterCarry.ALL;
        int page = PAGE;
        long lower = lo;
        long upper = hi;
        try (PreparedStatement q = c.prepareStatement(sql)) {
            while (true) {
                q.setLong(1, lower);
                q.setLong(2, upper);
                q.setInt(3, page);
                List<CounterCarry.Row> got = new ArrayList<>(page);
                read(q, got, page);
                for (CounterCarry.Row r : got) {
                    if (r.boot() != boot) {
                        return out; // a reboot: the counters before it do not carry over
                    }
                    out.add(r);
                    pending &= r.carried();
                    if (pending == 0) {
                        return out;
                    }
                }
                if (got.size() < page) {
                    return out;
                }
                long edge = SampleKey.of(SampleKey.hostRef(backwards ? hi : lo), got.get(got.size() - 1).ts());
                if (backwards) {
                    upper = edge;
                } else {
                    lower = edge;
                }
                page = Math.min(page * 4, 4096);
            }
        }
    }

    private static void read(PreparedStatement q, List<CounterCarry.Row> out, int limit) throws SQLException {
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next() && out.size() < limit) {
                out.add(new CounterCarry.Row(SampleKey.ts(rs.getLong(1)), rs.getInt(2),
                        new long[] {rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)}, rs.getShort(7)));
            }
        }
    }
}
