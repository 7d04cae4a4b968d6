package ctfleet.server.store;

import com.google.gson.Gson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each host's latest state ({@code host_latest}, and its timeouts on {@code hosts}): moved forward
 * by the newest stored sample of a batch, in the batch's own transaction. {@link FleetReader} reads it.
 */
final class LatestStates {
    private static final Gson GSON = new Gson();

    private LatestStates() {}

    static void update(Connection c, List<SampleWrite> batch, List<WriteOutcome> out) throws SQLException {
        // Imports first, so that a live sample in the same batch still ends up as the latest state.
        update(c, batch, out, SampleSource.IMPORT);
        update(c, batch, out, SampleSource.AGENT);
    }

    // A live sample moves the latest state forward, and always replaces an imported one: once an
    // agent reports, the host is live. An imported sample moves only an imported latest state
    // forward, so importing history never hides what a live agent said.
    // SET expressions read the row as it was (standard SQL, H2 and PostgreSQL): prev_* get the
    // replaced sample's values. A replaced sample without counters (the agent could not read the
    // stat table) is not one to measure from: prev_* stay on the last sample that had them, so the
    // next rates span the gap instead of being left out.
    private static final String UPDATE_LATEST = "UPDATE host_latest SET"
            + " prev_stats = CASE WHEN stats = '{}' THEN prev_stats ELSE stats END,"
            + " prev_ts = CASE WHEN stats = '{}' THEN prev_ts ELSE ts END,"
            + " prev_boot_id = CASE WHEN stats = '{}' THEN prev_boot_id ELSE boot_id END,"
            + " ts = ?, received_at = ?, status = ?,"
            + " ct_count = ?, ct_max = ?, ct_buckets = ?, expect_max = ?, acct = ?, boot_id = ?, stats = ?,"
            + " bytes_per_entry = ?, bytes_estimated = ?, source = ?,"
            + " mem_total_bytes = COALESCE(CAST(? AS BIGINT), mem_total_bytes),"
            + " entries = CASE WHEN ? = '' THEN entries ELSE ? END WHERE host_ref = ? AND ";
    private static final String LIVE_WINS = "(ts < ? OR source <> 0)";
    private static final String IMPORT_NEVER_OVER_LIVE = "ts < ? AND source <> 0";

    private static void update(Connection c, List<SampleWrite> batch, List<WriteOutcome> out, SampleSource source)
            throws SQLException {
        // Only the newest stored sample of each host in this batch, and only if newer than the table's.
        Map<Long, SampleWrite> newest = new LinkedHashMap<>();
        // Timeouts ride only in an agent's first sample (and when they change), which is rarely the
        // newest of its batch: an agent replaying its spool sends it with the samples after it.
        Map<Long, SampleWrite> newestTimeouts = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            SampleWrite w = batch.get(i);
            if (out.get(i) == WriteOutcome.STORED && w.source() == source) {
                newest.merge(w.hostRef(), w, (a, b) -> b.row().ts() > a.row().ts() ? b : a);
                if (!w.row().timeouts().isEmpty()) {
                    newestTimeouts.merge(w.hostRef(), w, (a, b) -> b.row().ts() > a.row().ts() ? b : a);
                }
            }
        }
        if (newest.isEmpty()) {
            return;
        }
        List<SampleWrite> writes = new ArrayList<>(newest.values());
        int[] updated;
        try (PreparedStatement up = c.prepareStatement(UPDATE_LATEST
                        + (source == SampleSource.AGENT ? LIVE_WINS : IMPORT_NEVER_OVER_LIVE));
             PreparedStatement timeouts = c.prepareStatement("UPDATE hosts SET timeouts = ? WHERE id = ?")) {
            for (SampleWrite w : writes) {
                SampleRow r = w.row();
                bind(up, w);
                String entries = EntriesJson.encode(r.entries());
                up.setString(15, entries);
                up.setString(16, entries);
                up.setLong(17, w.hostRef());
                up.setLong(18, r.ts());
                up.addBatch();
            }
            updated = up.executeBatch();
            for (SampleWrite w : newestTimeouts.values()) {
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
                SampleWrite w = writes.get(i);
                bind(ins, w);
                ins.setString(15, EntriesJson.encode(w.row().entries()));
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

    private static void bind(PreparedStatement ps, SampleWrite w) throws SQLException {
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
        ps.setString(10, GSON.toJson(new TreeMap<>(r.stats())));
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
}
