package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionJobTest {
    static final long NOW = 100L * 24 * Rollups.HOUR;
    static final Retention KEEP = new Retention(Duration.ofHours(2), Duration.ofHours(10), Duration.ofDays(20),
            Duration.ofHours(5));

    @TempDir
    Path dir;

    Database db;
    Fleet fleet;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        fleet = new Fleet(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    void insert(String table, long host, long ts) throws Exception {
        try (var c = db.connect(); var st = c.createStatement()) {
            if (table.equals("entry_summaries")) {
                st.execute("INSERT INTO entry_summaries VALUES (" + host + ", " + ts + ", " + ts + ", '{}')");
            } else {
                st.execute("INSERT INTO " + table + " VALUES (" + host + ", " + ts
                        + ", 1, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)");
            }
        }
    }

    @Test
    void deletesExactlyTheRowsOlderThanEachTablesRetention() throws Exception {
        long a = fleet.host("gw-a");
        long b = fleet.host("gw-b");
        // Raw: every 10 min over 5 h, plus one sample from a clock set to 1970.
        for (long ts = NOW - 5 * Rollups.HOUR; ts < NOW; ts += 600_000) {
            fleet.write(a, Fleet.row(ts, 1, 1, "x", 0, 0, 0, 0));
            fleet.write(b, Fleet.row(ts + 1, 1, 1, "x", 0, 0, 0, 0));
        }
        fleet.write(b, Fleet.row(5, 1, 1, "x", 0, 0, 0, 0));
        for (long ts = NOW - 30 * Rollups.HOUR; ts < NOW; ts += Rollups.HOUR) {
            insert("samples_1m", a, ts);
            insert("entry_summaries", a, ts);
        }
        for (long ts = NOW - 40L * 24 * Rollups.HOUR; ts < NOW; ts += 24 * Rollups.HOUR) {
            insert("samples_1h", b, ts);
        }
        long rawCut = NOW - 2 * Rollups.HOUR;
        long keepRaw = fleet.count("SELECT COUNT(*) FROM raw_samples WHERE ts >= " + rawCut);

        var r = new RetentionJob(db, KEEP).run(NOW);

        assertEquals(keepRaw, fleet.count("SELECT COUNT(*) FROM samples"));
        assertEquals(0, fleet.count("SELECT COUNT(*) FROM raw_samples WHERE ts < " + rawCut));
        assertEquals(2 * 30 + 1 - keepRaw, r.raw());
        assertEquals(10, fleet.count("SELECT COUNT(*) FROM samples_1m"));
        assertEquals(NOW - 10 * Rollups.HOUR, fleet.count("SELECT MIN(ts) FROM samples_1m"));
        assertEquals(5, fleet.count("SELECT COUNT(*) FROM entry_summaries"));
        assertEquals(20, fleet.count("SELECT COUNT(*) FROM samples_1h"));
        assertEquals(new RetentionJob.Result(0, 0, 0, 0), new RetentionJob(db, KEEP).run(NOW), "nothing left to do");
    }
}
