package ctfleet.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live write: a batch of samples (the ingest batcher's group commit) in one transaction — raw
 * rows, idempotent on (host, ts), each host's latest state, conflicts counted on their hosts, at most
 * one entry breakdown per host per minute. After the commit the "stored" listener hears of every
 * newly stored sample: the read caches extend themselves, the rollup job learns its late minutes.
 */
public final class SampleWriter {
    private final Database db;
    private final SampleListener stored;

    /** Without listeners: nothing in memory to keep current (tools, tests). */
    public SampleWriter(Database db) {
        this(db, SampleListener.all());
    }

    public SampleWriter(Database db, SampleListener stored) {
        this.db = db;
        this.stored = stored;
    }

    /**
     * Writes a batch in one transaction and returns one outcome per write, in order. An exact
     * re-send of a stored (host, ts) is a DUPLICATE (a no-op); different values for a stored key are
     * a CONFLICT, not stored, and counted on the host.
     */
    public List<WriteOutcome> write(List<SampleWrite> batch) throws StoreException {
        List<WriteOutcome> out;
        Map<Long, Map<Long, Counters>> carried = new HashMap<>();
        try {
            out = commit(batch, carried);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
        db.health().wrote();
        for (int i = 0; i < batch.size(); i++) {
            if (out.get(i) == WriteOutcome.STORED) {
                SampleWrite w = batch.get(i);
                RawPoint p = RawRows.point(w.row());
                Map<Long, Counters> changed = carried.get(w.hostRef());
                Counters settled = changed == null ? null : changed.remove(p.ts());
                stored.stored(w.hostRef(), settled == null ? p : new RawPoint(p.ts(), p.loaded(), p.count(), p.max(), settled));
            }
        }
        // Older rows whose carried counters a late sample changed: appends do not describe that.
        carried.forEach((host, rest) -> {
            if (!rest.isEmpty()) {
                stored.imported(host, rest.keySet().stream().mapToLong(Long::longValue).toArray());
            }
        });
        return out;
    }

    private List<WriteOutcome> commit(List<SampleWrite> batch, Map<Long, Map<Long, Counters>> carried)
            throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                carried.clear();
                List<WriteOutcome> out = RawRows.insert(c, batch);
                settle(c, batch, out, carried);
                LatestStates.update(c, batch, out);
                HostStore.countConflicts(c, batch, out);
                EntrySummaries.add(c, batch, out);
                c.commit();
                return out;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Settles the carried counters around each host's newly stored rows (CarriedCounters). */
    private static void settle(Connection c, List<SampleWrite> batch, List<WriteOutcome> out,
            Map<Long, Map<Long, Counters>> carried) throws SQLException {
        Map<Long, long[]> ranges = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            if (out.get(i) == WriteOutcome.STORED) {
                long ts = batch.get(i).row().ts();
                ranges.merge(batch.get(i).hostRef(), new long[] {ts, ts},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
        }
        for (var e : ranges.entrySet()) {
            Map<Long, Counters> changed = CarriedCounters.settle(c, e.getKey(), e.getValue()[0], e.getValue()[1]);
            if (!changed.isEmpty()) {
                carried.put(e.getKey(), new HashMap<>(changed));
            }
        }
    }
}
