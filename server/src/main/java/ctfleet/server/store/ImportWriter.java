package ctfleet.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The import write: one host's history from elsewhere (Prometheus) in one transaction, for bulk. The
 * keys already stored in the rows' time range are read with one query and compared in memory, and
 * only new rows are inserted, with a plain INSERT: the per-row "WHERE NOT EXISTS" and re-read of the
 * live write cost most of its time, and an import of 30 days of a fleet is tens of millions of rows.
 * The "stored" listener hears which times were imported.
 */
public final class ImportWriter {
    private final Database db;
    private final SampleListener stored;

    public ImportWriter(Database db, SampleListener stored) {
        this.db = db;
        this.stored = stored;
    }

    /**
     * Stores one host's imported rows and returns one outcome per row, in order. If another writer
     * stores one of these keys meanwhile, the insert fails on the primary key and the whole call
     * rolls back: the caller retries through the live write ({@link SampleWriter#write}).
     *
     * @param rolledUpBefore rows older than this are past raw retention: when their minute already has
     *                       a 1-minute rollup, they were stored (or live data covered them) and have
     *                       since expired from the raw table, so they count as already stored instead
     *                       of coming back for one more round of rollup and expiry
     */
    public List<WriteOutcome> importRows(long hostRef, List<SampleRow> rows, long receivedAt, long rolledUpBefore)
            throws StoreException {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<SampleWrite> fresh = new ArrayList<>(rows.size());
        Set<Long> carried = new HashSet<>();
        List<WriteOutcome> out;
        try {
            out = commit(hostRef, rows, receivedAt, rolledUpBefore, fresh, carried);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
        db.health().wrote();
        if (!fresh.isEmpty()) {
            // With the rows outside the imported range whose carried counters the import changed.
            for (SampleWrite w : fresh) {
                carried.add(w.row().ts());
            }
            stored.imported(hostRef, carried.stream().mapToLong(Long::longValue).toArray());
        }
        return out;
    }

    private List<WriteOutcome> commit(long hostRef, List<SampleRow> rows, long receivedAt, long rolledUpBefore,
            List<SampleWrite> fresh, Set<Long> carried) throws SQLException {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (SampleRow r : rows) {
            min = Math.min(min, r.ts());
            max = Math.max(max, r.ts());
        }
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                Map<Long, long[]> existing = RawRows.storedBetween(c, hostRef, min, max);
                Set<Long> rolledUp = min < rolledUpBefore
                        ? rolledUpMinutes(c, hostRef, min, Math.min(max, rolledUpBefore)) : Set.of();
                List<SampleWrite> writes = new ArrayList<>(rows.size());
                List<WriteOutcome> out = new ArrayList<>(rows.size());
                Set<Long> inserted = new HashSet<>();
                for (SampleRow r : rows) {
                    SampleWrite w = new SampleWrite(hostRef, r, receivedAt, SampleSource.IMPORT);
                    writes.add(w);
                    long[] old = existing.get(r.ts());
                    if (old == null && r.ts() < rolledUpBefore
                            && rolledUp.contains(Rollups.floor(r.ts(), Rollups.MINUTE))) {
                        out.add(WriteOutcome.DUPLICATE);
                    } else if (old != null) {
                        out.add(RawRows.same(old, r) ? WriteOutcome.DUPLICATE : WriteOutcome.CONFLICT);
                    } else if (!inserted.add(r.ts())) {
                        out.add(WriteOutcome.DUPLICATE); // the same instant twice in one call: the first wins
                    } else {
                        fresh.add(w);
                        out.add(WriteOutcome.STORED);
                    }
                }
                RawRows.insertNew(c, fresh);
                if (!fresh.isEmpty()) {
                    carried.addAll(CarriedCounters.settle(c, hostRef, min, max).keySet());
                }
                LatestStates.update(c, writes, out);
                HostStore.countConflicts(c, writes, out);
                c.commit();
                return out;
            } catch (SQLException e) {
                c.rollback();
                fresh.clear();
                carried.clear();
                throw e;
            }
        }
    }

    private static Set<Long> rolledUpMinutes(Connection c, long hostRef, long from, long to) throws SQLException {
        Set<Long> out = new HashSet<>();
        try (PreparedStatement q = c.prepareStatement(
                "SELECT ts FROM samples_1m WHERE host_ref = ? AND ts BETWEEN ? AND ?")) {
            q.setLong(1, hostRef);
            q.setLong(2, Rollups.floor(from, Rollups.MINUTE));
            q.setLong(3, to);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    /**
     * Timestamps of a host's live (agent) samples in {@code [from, to]}, ascending: what an import
     * must not duplicate with samples of its own at nearby times.
     */
    public long[] liveTimestamps(long hostRef, long from, long to) throws StoreException {
        try (Connection c = db.connect()) {
            return RawRows.liveTimestamps(c, hostRef, from, to);
        } catch (SQLException e) {
            throw db.health().failed(e);
        }
    }
}
