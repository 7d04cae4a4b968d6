package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ctfleet.server.store.WriteOutcome;
import ctfleet.server.store.SampleWrite;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleWriterTest {
    @TempDir
    Path dir;

    Database db;
    SampleWriter store;
    long host;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        store = new SampleWriter(db);
        host = new HostStore(db).hello(new HostHello("gw-1", Map.of("dc", "fra1"), "6.1", "0.1", 0), 1000);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static SampleRow row(long ts, long count, long drop) {
        return new SampleRow(ts, true, count, 65536, 16384, 4096, 0, "boot-a", Map.of("drop", drop),
                new TreeMap<>(), 320, true, Optional.empty());
    }

    @Test
    void exactResendIsADuplicateNoOp() throws Exception {
        assertEquals(List.of(WriteOutcome.STORED), store.write(List.of(new SampleWrite(host, row(1000, 10, 0), 1))));
        assertEquals(List.of(WriteOutcome.DUPLICATE), store.write(List.of(new SampleWrite(host, row(1000, 10, 0), 2))));
        assertEquals(1, count("SELECT COUNT(*) FROM samples"));
    }

    @Test
    void differentValueForTheSameKeyIsRejectedAndCounted() throws Exception {
        store.write(List.of(new SampleWrite(host, row(1000, 10, 0), 1)));
        assertEquals(List.of(WriteOutcome.CONFLICT), store.write(List.of(new SampleWrite(host, row(1000, 11, 0), 2))));
        assertEquals(10, count("SELECT ct_count FROM raw_samples WHERE ts = 1000"), "the first value stays");
        assertEquals(1, count("SELECT conflicts FROM hosts"));
    }

    @Test
    void duplicatesWithinOneBatchAreDetectedToo() throws Exception {
        var out = store.write(List.of(new SampleWrite(host, row(1000, 10, 0), 1), new SampleWrite(host, row(1000, 10, 0), 1),
                new SampleWrite(host, row(1000, 12, 0), 1)));
        assertEquals(List.of(WriteOutcome.STORED, WriteOutcome.DUPLICATE, WriteOutcome.CONFLICT), out);
    }

    @Test
    void latestStateFollowsTheNewestSampleEvenWhenAnOlderOneArrivesLater() throws Exception {
        store.write(List.of(new SampleWrite(host, row(2000, 20, 0), 1)));
        store.write(List.of(new SampleWrite(host, row(1000, 10, 0), 2)));
        LatestState l = new FleetReader(db).latest("gw-1").orElseThrow();
        assertEquals(2000, l.ts());
        assertEquals(20, l.count());
        assertEquals(Map.of("dc", "fra1"), l.labels());
        assertEquals(2, count("SELECT COUNT(*) FROM samples"));
    }

    static final SampledEntries ENTRIES = new SampledEntries(10, 1, false,
            List.of(new SampledEntries.State("ipv4", "tcp", "ESTABLISHED", 3), new SampledEntries.State("ipv4", "udp", "", 7)),
            3, 2, List.of(new SampledEntries.Endpoint("10.0.0.1", 443, "tcp", 3)),
            List.of(new SampledEntries.Endpoint("192.0.2.7", 0, "", 5)), List.of("ipv4 2 udp 17 29 src=10.0.0.2"),
            Map.of("udp", 2L));

    static SampleRow withEntries(long ts, Optional<SampledEntries> entries) {
        return new SampleRow(ts, true, 10, 65536, 16384, 4096, 0, "boot-a", Map.of("drop", 0L), new TreeMap<>(), 320,
                true, entries);
    }

    @Test
    void theEntryBreakdownComesWithOneHostsStateNotWithTheFleets() throws Exception {
        store.write(List.of(new SampleWrite(host, withEntries(1000, Optional.of(ENTRIES)), 1)));
        assertEquals(Optional.of(ENTRIES), new FleetReader(db).latest("gw-1").orElseThrow().entries(),
                "stored and read back whole");
        LatestState inFleet = new FleetReader(db).latest().get(0);
        assertEquals(Optional.empty(), inFleet.entries());
        assertEquals(10, inFleet.count());
        assertEquals(Map.of("gw-1", ENTRIES), new FleetReader(db).entryBreakdowns());
        // A newer sample without a breakdown (a tick that read no entries) keeps the last one.
        store.write(List.of(new SampleWrite(host, withEntries(2000, Optional.empty()), 2)));
        assertEquals(Optional.of(ENTRIES), new FleetReader(db).latest("gw-1").orElseThrow().entries());
        assertEquals(1, count("SELECT COUNT(*) FROM entry_summaries"), "one breakdown kept for its minute");
    }

    @Test
    void aBreakdownWrittenByAnEarlierVersionReadsTheSame() throws Exception {
        store.write(List.of(new SampleWrite(host, withEntries(1000, Optional.empty()), 1)));
        // The text of a version before unreplied_by_protocol, as it sits in an upgraded database.
        try (var c = db.connect(); var st = c.createStatement()) {
            st.executeUpdate("UPDATE host_latest SET entries = '{\"sample_size\":4,\"parse_errors\":0,\"full_scan\":false,"
                    + "\"assured\":1,\"unreplied\":0,\"states\":[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
                    + "\"state\":\"TIME_WAIT\",\"sampled\":4}],\"top_destinations\":[],\"top_sources\":[],"
                    + "\"raw_entries\":[]}'");
        }
        SampledEntries e = new FleetReader(db).latest("gw-1").orElseThrow().entries().orElseThrow();
        assertEquals(List.of(new SampledEntries.State("ipv4", "tcp", "TIME_WAIT", 4)), e.states());
        assertEquals(Map.of(), e.unrepliedByProtocol());
        assertEquals(4, e.sampleSize());
    }

    @Test
    void hostMemoryIsKeptWhenANewerSampleDoesNotKnowIt() throws Exception {
        SampleRow first = row(1000, 10, 0);
        store.write(List.of(new SampleWrite(host, first, 1)));
        assertEquals(OptionalLong.empty(), new FleetReader(db).latest("gw-1").orElseThrow().memTotalBytes(), "unknown");
        SampleRow withMemory = new SampleRow(2000, true, 11, 65536, 16384, 4096, 0, "boot-a", Map.of("drop", 0L),
                new TreeMap<>(), 320, true, Optional.empty(), OptionalLong.of(8L << 30));
        store.write(List.of(new SampleWrite(host, withMemory, 2)));
        assertEquals(OptionalLong.of(8L << 30), new FleetReader(db).latest("gw-1").orElseThrow().memTotalBytes());
        // A newer sample without MemTotal (an agent that lost /proc/meminfo, an import) keeps what was known.
        store.write(List.of(new SampleWrite(host, row(3000, 12, 0), 3)));
        LatestState l = new FleetReader(db).latest().get(0);
        assertEquals(12, l.count());
        assertEquals(OptionalLong.of(8L << 30), l.memTotalBytes());
    }

    @Test
    void timeoutsSentOnlyInAStreamsFirstSampleSurviveABatchWithLaterSamples() throws Exception {
        // A replayed spool: the stream's first sample carries the timeouts, the next ones do not, and
        // all three are committed in one batch.
        SampleRow first = new SampleRow(1000, true, 10, 65536, 16384, 4096, 0, "boot-a", Map.of("drop", 0L),
                new TreeMap<>(Map.of("tcp_timeout_established", 432_000L)), 320, true, Optional.empty());
        store.write(List.of(new SampleWrite(host, first, 1), new SampleWrite(host, row(2000, 11, 0), 2),
                new SampleWrite(host, row(3000, 12, 0), 3)));
        LatestState l = new FleetReader(db).latest("gw-1").orElseThrow();
        assertEquals(3000, l.ts());
        assertEquals(Map.of("tcp_timeout_established", 432_000L), l.timeouts());
    }

    @Test
    void reopeningTheDatabaseKeepsRowsAndSkipsAppliedMigrations() throws Exception {
        store.write(List.of(new SampleWrite(host, row(1000, 10, 0), 1)));
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

    @Test
    void aSampleWithoutCountersDoesNotBecomeThePreviousStats() throws Exception {
        store.write(List.of(new SampleWrite(host, row(1000, 10, 0x40), 1)));
        store.write(List.of(new SampleWrite(host, new SampleRow(11_000, true, 10, 65536, 16384, 4096, 0, "boot-a",
                Map.of(), new TreeMap<>(), 320, true, Optional.empty()), 2)));
        store.write(List.of(new SampleWrite(host, row(21_000, 10, 0x42), 3)));
        LatestState l = new FleetReader(db).latest("gw-1").orElseThrow();
        assertEquals(new LatestState.PreviousStats(Map.of("drop", 0x40L), 1000, ctfleet.server.fleet.BootChange.SAME), l.previous(),
                "the host view's rates span the sample that had no counters");
    }
}
