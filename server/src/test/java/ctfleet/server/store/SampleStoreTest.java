package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ctfleet.server.store.SampleStore.Outcome;
import ctfleet.server.store.SampleStore.Write;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleStoreTest {
    @TempDir
    Path dir;

    Database db;
    SampleStore store;
    long host;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        store = new SampleStore(db);
        host = new HostStore(db).hello(new HostHello("gw-1", Map.of("dc", "fra1"), "6.1", "0.1", 0), 1000);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static SampleRow row(long ts, long count, long drop) {
        return new SampleRow(ts, true, count, 65536, 16384, 4096, 0, "boot-a", Map.of("drop", drop),
                new TreeMap<>(), 320, true, "");
    }

    @Test
    void exactResendIsADuplicateNoOp() throws Exception {
        assertEquals(List.of(Outcome.STORED), store.write(List.of(new Write(host, row(1000, 10, 0), 1))));
        assertEquals(List.of(Outcome.DUPLICATE), store.write(List.of(new Write(host, row(1000, 10, 0), 2))));
        assertEquals(1, count("SELECT COUNT(*) FROM samples"));
    }

    @Test
    void differentValueForTheSameKeyIsRejectedAndCounted() throws Exception {
        store.write(List.of(new Write(host, row(1000, 10, 0), 1)));
        assertEquals(List.of(Outcome.CONFLICT), store.write(List.of(new Write(host, row(1000, 11, 0), 2))));
        assertEquals(10, count("SELECT ct_count FROM raw_samples WHERE ts = 1000"), "the first value stays");
        assertEquals(1, count("SELECT conflicts FROM hosts"));
    }

    @Test
    void duplicatesWithinOneBatchAreDetectedToo() throws Exception {
        var out = store.write(List.of(new Write(host, row(1000, 10, 0), 1), new Write(host, row(1000, 10, 0), 1),
                new Write(host, row(1000, 12, 0), 1)));
        assertEquals(List.of(Outcome.STORED, Outcome.DUPLICATE, Outcome.CONFLICT), out);
    }

    @Test
    void latestStateFollowsTheNewestSampleEvenWhenAnOlderOneArrivesLater() throws Exception {
        store.write(List.of(new Write(host, row(2000, 20, 0), 1)));
        store.write(List.of(new Write(host, row(1000, 10, 0), 2)));
        LatestState l = new FleetReader(db).latest("gw-1").get(0);
        assertEquals(2000, l.ts());
        assertEquals(20, l.count());
        assertEquals(Map.of("dc", "fra1"), l.labels());
        assertEquals(2, count("SELECT COUNT(*) FROM samples"));
    }

    @Test
    void theEntryBreakdownComesWithOneHostsStateNotWithTheFleets() throws Exception {
        String entries = "{\"states\":{\"ESTABLISHED\":3}}";
        store.write(List.of(new Write(host, new SampleRow(1000, true, 10, 65536, 16384, 4096, 0, "boot-a",
                Map.of("drop", 0L), new TreeMap<>(), 320, true, entries), 1)));
        assertEquals(entries, new FleetReader(db).latest("gw-1").get(0).entries());
        LatestState inFleet = new FleetReader(db).latest().get(0);
        assertEquals("", inFleet.entries());
        assertEquals(10, inFleet.count());
    }

    @Test
    void hostMemoryIsKeptWhenANewerSampleDoesNotKnowIt() throws Exception {
        SampleRow first = row(1000, 10, 0);
        store.write(List.of(new Write(host, first, 1)));
        assertEquals(OptionalLong.empty(), new FleetReader(db).latest("gw-1").get(0).memTotalBytes(), "unknown");
        SampleRow withMemory = new SampleRow(2000, true, 11, 65536, 16384, 4096, 0, "boot-a", Map.of("drop", 0L),
                new TreeMap<>(), 320, true, "", OptionalLong.of(8L << 30));
        store.write(List.of(new Write(host, withMemory, 2)));
        assertEquals(OptionalLong.of(8L << 30), new FleetReader(db).latest("gw-1").get(0).memTotalBytes());
        // A newer sample without MemTotal (an agent that lost /proc/meminfo, an import) keeps what was known.
        store.write(List.of(new Write(host, row(3000, 12, 0), 3)));
        LatestState l = new FleetReader(db).latest().get(0);
        assertEquals(12, l.count());
        assertEquals(OptionalLong.of(8L << 30), l.memTotalBytes());
    }

    @Test
    void timeoutsSentOnlyInAStreamsFirstSampleSurviveABatchWithLaterSamples() throws Exception {
        // A replayed spool: the stream's first sample carries the timeouts, the next ones do not, and
        // all three are committed in one batch.
        SampleRow first = new SampleRow(1000, true, 10, 65536, 16384, 4096, 0, "boot-a", Map.of("drop", 0L),
                new TreeMap<>(Map.of("tcp_timeout_established", 432_000L)), 320, true, "");
        store.write(List.of(new Write(host, first, 1), new Write(host, row(2000, 11, 0), 2),
                new Write(host, row(3000, 12, 0), 3)));
        LatestState l = new FleetReader(db).latest("gw-1").get(0);
        assertEquals(3000, l.ts());
        assertEquals(Map.of("tcp_timeout_established", 432_000L), l.timeouts());
    }

    @Test
    void reopeningTheDatabaseKeepsRowsAndSkipsAppliedMigrations() throws Exception {
        store.write(List.of(new Write(host, row(1000, 10, 0), 1)));
        long applied = count("SELECT COUNT(*) FROM \"flyway_schema_history\"");
        db.close();
        db = Database.open(dir);
        assertEquals(1, count("SELECT COUNT(*) FROM samples"));
        assertEquals(applied, count("SELECT COUNT(*) FROM \"flyway_schema_history\""), "nothing re-applied");
        assertEquals(1, count("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '1'"));
    }

    long count(String sql) throws Exception {
        try (var c = db.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
