package ctfleet.server.store;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import ctfleet.server.fleet.BootChange;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads the fleet's latest states: the ranking's input, without touching history. */
public final class FleetReader {
    private static final Gson GSON = new Gson();
    private static final Type STRINGS = new TypeToken<Map<String, String>>() {}.getType();
    private static final Type LONGS = new TypeToken<Map<String, Long>>() {}.getType();

    private static final String LATEST = "SELECT h.host_id, h.labels, h.kernel, l.ts, l.received_at, l.status,"
            + " l.ct_count, l.ct_max, l.ct_buckets, l.stats, h.timeouts, l.bytes_per_entry, l.bytes_estimated,"
            + " %s, h.dropped_samples, h.conflicts, l.source, l.prev_stats, l.prev_ts, l.prev_boot_id, l.boot_id,"
            + " l.mem_total_bytes, h.clock_offset_ms, h.clock_skewed"
            + " FROM host_latest l JOIN hosts h ON h.id = l.host_ref";

    private final Database db;

    public FleetReader(Database db) {
        this.db = db;
    }

    /** Whether the database answers now (queries refuse with the reason while it does not). */
    public DatabaseHealth health() {
        return db.health();
    }

    /**
     * Every host's latest state, without its entry breakdown ({@link LatestState#entries()} is
     * empty): the fleet-wide calls never show it, and at a few KB per host it was most of what
     * the ranking read from this table.
     */
    public List<LatestState> latest() throws StoreException {
        try (Connection c = db.connect();
             PreparedStatement q = c.prepareStatement(LATEST.formatted("''") + " ORDER BY h.host_id")) {
            return read(q);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    /** One host's latest state with its entry breakdown; empty for a host that never sent a sample. */
    public Optional<LatestState> latest(String hostId) throws StoreException {
        try (Connection c = db.connect();
             PreparedStatement q = c.prepareStatement(LATEST.formatted("l.entries") + " WHERE h.host_id = ?")) {
            q.setString(1, hostId);
            return read(q).stream().findFirst();
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    /**
     * Every host's latest entry breakdown, by host id (a host whose agent never sent one is not in
     * it): the capacity plan reads what fills each table, which {@link #latest()} leaves out.
     */
    public Map<String, SampledEntries> entryBreakdowns() throws StoreException {
        Map<String, SampledEntries> out = new java.util.HashMap<>();
        try (Connection c = db.connect();
             PreparedStatement q = c.prepareStatement(
                     "SELECT h.host_id, l.entries FROM host_latest l JOIN hosts h ON h.id = l.host_ref");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String host = rs.getString(1);
                EntriesJson.decode(rs.getString(2)).ifPresent(e -> out.put(host, e));
            }
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
        return out;
    }

    private static OptionalLong memTotal(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static OptionalLong offset(long value, boolean isNull) {
        return isNull ? OptionalLong.empty() : OptionalLong.of(value);
    }

    private static List<LatestState> read(PreparedStatement q) throws SQLException {
        List<LatestState> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(new LatestState(
                        rs.getString(1),
                        GSON.fromJson(rs.getString(2), STRINGS),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getShort(6) == 1,
                        rs.getLong(7),
                        rs.getLong(8),
                        rs.getLong(9),
                        GSON.fromJson(rs.getString(10), LONGS),
                        GSON.fromJson(rs.getString(11), LONGS),
                        rs.getLong(12),
                        rs.getBoolean(13),
                        EntriesJson.decode(rs.getString(14)),
                        rs.getLong(15),
                        rs.getLong(16),
                        rs.getShort(17) == SampleSource.IMPORT.code,
                        new LatestState.PreviousStats(GSON.fromJson(rs.getString(18), LONGS), rs.getLong(19),
                                BootChange.between(rs.getString(20), rs.getString(21))),
                        memTotal(rs, 22),
                        offset(rs.getLong(23), rs.wasNull()),
                        rs.getBoolean(24)));
            }
        }
        return out;
    }
}
