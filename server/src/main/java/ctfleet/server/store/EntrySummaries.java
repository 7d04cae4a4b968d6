package ctfleet.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The history of entry breakdowns ({@code entry_summaries}): at most one per host per minute, the
 * first of the minute. The breakdown is a few KB of JSON: one per 10 s sample would dwarf the
 * samples themselves, one a minute keeps a week of them affordable.
 */
final class EntrySummaries {
    private EntrySummaries() {}

    static void add(Connection c, List<SampleWrite> batch, List<WriteOutcome> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO entry_summaries (host_ref, ts, sample_ts, entries)"
                        + " SELECT ?, ?, ?, ? FROM (VALUES (0)) AS one (x)"
                        + " WHERE NOT EXISTS (SELECT 1 FROM entry_summaries WHERE host_ref = ? AND ts = ?)")) {
            boolean any = false;
            for (int i = 0; i < batch.size(); i++) {
                SampleWrite w = batch.get(i);
                if (out.get(i) != WriteOutcome.STORED || w.row().entries().isEmpty()) {
                    continue;
                }
                long minute = Rollups.floor(w.row().ts(), Rollups.MINUTE);
                ps.setLong(1, w.hostRef());
                ps.setLong(2, minute);
                ps.setLong(3, w.row().ts());
                ps.setString(4, EntriesJson.encode(w.row().entries().get()));
                ps.setLong(5, w.hostRef());
                ps.setLong(6, minute);
                ps.addBatch();
                any = true;
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }
}
