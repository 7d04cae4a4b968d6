package ctfleet.server.store;

import com.google.gson.Gson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Host identities ({@code hosts}): host id text to the numeric key every other table uses, and what a hello says. */
public final class HostStore {
    private static final Gson GSON = new Gson();
    private final Database db;
    private final Map<String, Long> refs = new ConcurrentHashMap<>();
    // The last hello stored per host: a reconnect storm (a server restart, a network blip) repeats
    // identical hellos from every agent at once, and each would otherwise be a serialized commit.
    private final Map<String, HostHello> stored = new ConcurrentHashMap<>();

    public HostStore(Database db) {
        this.db = db;
    }

    /** Records a hello (creating the host on first sight) and returns the host's key. */
    public long hello(HostHello h, long nowMillis) throws StoreException {
        Long known = refs.get(h.hostId());
        if (known != null && h.droppedSamples() == 0 && h.sameAs(stored.get(h.hostId()))) {
            return known;
        }
        long ref;
        try {
            ref = write(h, nowMillis);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
        db.health().wrote();
        stored.put(h.hostId(), h.droppedSamples() == 0 ? h : new HostHello(h.hostId(), h.labels(), h.kernel(),
                h.agentVersion(), 0, h.clockOffsetMillis(), h.clockSkewed()));
        return ref;
    }

    private long write(HostHello h, long nowMillis) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            long ref = find(c, h.hostId());
            String labels = GSON.toJson(new TreeMap<>(h.labels()));
            if (ref < 0) {
                boolean inserted = false;
                try (PreparedStatement ins = c.prepareStatement(
                        "INSERT INTO hosts (host_id, labels, kernel, agent_version, timeouts, dropped_samples,"
                                + " conflicts, first_seen, clock_offset_ms, clock_skewed) VALUES (?, ?, ?, ?, '{}', ?, 0, ?, ?, ?)")) {
                    ins.setString(1, h.hostId());
                    ins.setString(2, labels);
                    ins.setString(3, h.kernel());
                    ins.setString(4, h.agentVersion());
                    ins.setLong(5, h.droppedSamples());
                    ins.setLong(6, nowMillis);
                    ins.setObject(7, h.clockOffsetMillis().isPresent() ? h.clockOffsetMillis().getAsLong() : null,
                            java.sql.Types.BIGINT);
                    ins.setBoolean(8, h.clockSkewed());
                    inserted = ins.executeUpdate() == 1;
                } catch (SQLException e) {
                    c.rollback(); // another stream created it first: fall through to the update
                }
                ref = find(c, h.hostId());
                if (inserted) {
                    c.commit();
                    refs.put(h.hostId(), ref);
                    return ref;
                }
            }
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE hosts SET labels = ?, kernel = ?, agent_version = ?,"
                            + " dropped_samples = dropped_samples + ?,"
                            // An agent that does not send its clock leaves the last measurement as it was.
                            + " clock_offset_ms = COALESCE(?, clock_offset_ms),"
                            + " clock_skewed = CASE WHEN ? THEN ? ELSE clock_skewed END WHERE id = ?")) {
                up.setString(1, labels);
                up.setString(2, h.kernel());
                up.setString(3, h.agentVersion());
                up.setLong(4, h.droppedSamples());
                up.setObject(5, h.clockOffsetMillis().isPresent() ? h.clockOffsetMillis().getAsLong() : null,
                        java.sql.Types.BIGINT);
                up.setBoolean(6, h.clockOffsetMillis().isPresent());
                up.setBoolean(7, h.clockSkewed());
                up.setLong(8, ref);
                up.executeUpdate();
            }
            c.commit();
            refs.put(h.hostId(), ref);
            return ref;
        }
    }

    /**
     * The key of {@code hostId}, creating the host with these labels when it is new. A known host is
     * left as it is: its agent's labels and kernel are better than what an import can say.
     */
    public long ensure(String hostId, Map<String, String> labels, long nowMillis) throws StoreException {
        long known = ref(hostId);
        if (known >= 0) {
            return known;
        }
        try (Connection c = db.connect()) {
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO hosts (host_id, labels, kernel, agent_version, timeouts, dropped_samples,"
                            + " conflicts, first_seen) VALUES (?, ?, '', '', '{}', 0, 0, ?)")) {
                ins.setString(1, hostId);
                ins.setString(2, GSON.toJson(new TreeMap<>(labels)));
                ins.setLong(3, nowMillis);
                ins.executeUpdate();
            } catch (SQLException e) {
                // another stream or import created it first: use theirs
            }
            long ref = find(c, hostId);
            if (ref < 0) {
                throw new SQLException("host " + hostId + " could not be created");
            }
            refs.put(hostId, ref);
            return ref;
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    /** The key of a known host, or -1. */
    public long ref(String hostId) throws StoreException {
        Long cached = refs.get(hostId);
        if (cached != null) {
            return cached;
        }
        try (Connection c = db.connect()) {
            long ref = find(c, hostId);
            if (ref >= 0) {
                refs.put(hostId, ref);
            }
            return ref;
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    /** How many hosts are stored. */
    public long count() throws StoreException {
        try (Connection c = db.connect(); PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM hosts");
                ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }

    /** Counts, in the writer's transaction, each conflicting sample on its host ({@code hosts.conflicts}). */
    static void countConflicts(Connection c, List<SampleWrite> batch, List<WriteOutcome> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hosts SET conflicts = conflicts + 1 WHERE id = ?")) {
            boolean any = false;
            for (int i = 0; i < batch.size(); i++) {
                if (out.get(i) == WriteOutcome.CONFLICT) {
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

    private static long find(Connection c, String hostId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT id FROM hosts WHERE host_id = ?")) {
            q.setString(1, hostId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
