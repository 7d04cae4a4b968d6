package ctfleet.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

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
        try {
            out = commit(batch);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
        db.health().wrote();
        for (int i = 0; i < batch.size(); i++) {
            if (out.get(i) == WriteOutcome.STORED) {
                SampleWrite w = batch.get(i);
                stored.stored(w.hostRef(), RawRows.point(w.row()));
            }
        }
        return out;
    }

    private List<WriteOutcome> commit(List<SampleWrite> batch) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                List<WriteOutcome> out = RawRows.insert(c, batch);
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
}
