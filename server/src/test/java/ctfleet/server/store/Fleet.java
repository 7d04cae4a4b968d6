package ctfleet.server.store;

import ctfleet.server.store.SampleWrite;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Test data: hosts and samples written through the real ingest path. */
final class Fleet {
    final Database db;
    final HostStore hosts;
    final SampleWriter store;
    final RollupBacklog backlog = new RollupBacklog();

    Fleet(Database db) {
        this.db = db;
        this.hosts = new HostStore(db);
        this.store = new SampleWriter(db, backlog);
    }

    long host(String id) throws Exception {
        return hosts.hello(new HostHello(id, Map.of("dc", "fra1"), "6.1", "0.1", 0), 0);
    }

    static SampleRow row(long ts, long count, long max, String boot, long drop, long early, long failed, long invalid) {
        return new SampleRow(ts, true, count, max, 16384, 4096, 0, boot,
                Map.of("drop", drop, "early_drop", early, "insert_failed", failed, "invalid", invalid),
                new TreeMap<>(), 320, true, Optional.empty());
    }

    void write(long host, SampleRow... rows) throws Exception {
        List<SampleWrite> batch = new ArrayList<>();
        for (SampleRow r : rows) {
            batch.add(new SampleWrite(host, r, r.ts()));
        }
        store.write(batch);
    }

    long count(String sql) throws Exception {
        try (var c = db.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
