package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Samples without counters (the agent could not read its stat table; an import without a series)
 * through the real writers into a real H2 file: history and rollups see the increases the samples
 * with counters say, never a fall read as a 32-bit wrap.
 */
class SampleWriterCarryTest {
    static final long T0 = 1_760_000_000_000L - 1_760_000_000_000L % Rollups.HOUR;

    @TempDir
    Path dir;

    Database db;
    Fleet fleet;
    long host;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        fleet = new Fleet(db);
        host = fleet.host("gw-1");
    }

    @AfterEach
    void close() {
        db.close();
    }

    static SampleRow counted(long ts, long drop) {
        return Fleet.row(ts, 5, 262_144, "boot-a", drop, 0, 0x11, 0);
    }

    /** What the agent sends for wrapB: everything but the counter sums. */
    static SampleRow noStats(long ts) {
        return new SampleRow(ts, true, 5, 262_144, 16384, 4096, 0, "boot-a", Map.of(), new TreeMap<>(), 320, true,
                Optional.empty());
    }

    List<Long> dropIncreases() throws Exception {
        HistoryReader r = new HistoryReader(db, Retention.DEFAULT,
                Clock.fixed(Instant.ofEpochMilli(T0 + Rollups.HOUR), ZoneOffset.UTC));
        return r.series("gw-1", T0 - Rollups.HOUR, T0 + Rollups.HOUR, Step.RAW).stream()
                .map(p -> p.increases().drop()).toList();
    }

    @Test
    void goodNoStatsGoodReadsAsTheIncreaseOfTheGoodOnes() throws Exception {
        fleet.write(host, counted(T0, 0x40));
        fleet.write(host, noStats(T0 + 10_000));
        fleet.write(host, counted(T0 + 20_000, 0x42));
        assertEquals(List.of(0L, 0L, 2L), dropIncreases());
        new RollupJob(db, fleet.backlog, Retention.DEFAULT).run(T0 + 2 * Rollups.MINUTE);
        assertEquals(2, single("SELECT drop_inc FROM samples_1m"));
        assertEquals(0, single("SELECT insert_failed_inc FROM samples_1m"), "insert_failed stayed at 0x11");
        assertEquals(2, single("SELECT drop_inc FROM samples_1h"));
    }

    @Test
    void aResentSampleWithoutCountersIsADuplicateAndOneWithCountersAConflict() throws Exception {
        fleet.write(host, counted(T0, 0x40));
        fleet.write(host, noStats(T0 + 10_000));
        assertEquals(0x40, single("SELECT drop_total FROM raw_samples WHERE ts = " + (T0 + 10_000)), "carried");
        assertEquals(List.of(WriteOutcome.DUPLICATE), fleet.store.write(List.of(new SampleWrite(host, noStats(T0 + 10_000), 1))),
                "compared as not reported, not by the value carried into it");
        assertEquals(List.of(WriteOutcome.CONFLICT),
                fleet.store.write(List.of(new SampleWrite(host, counted(T0 + 10_000, 0x40), 1))),
                "a carried counter is not a reported one");
    }

    @Test
    void aLateSampleWithCountersBeforeACarriedOneLeavesNoFall() throws Exception {
        fleet.write(host, counted(T0, 0x40));
        fleet.write(host, noStats(T0 + 20_000));
        fleet.write(host, counted(T0 + 10_000, 0x41)); // late, e.g. imported into the gap
        fleet.write(host, counted(T0 + 30_000, 0x42));
        assertEquals(List.of(0L, 1L, 0L, 1L), dropIncreases());
    }

    @Test
    void aHostsFirstSamplesWithoutCountersAddNoIncrease() throws Exception {
        fleet.write(host, noStats(T0));
        fleet.write(host, noStats(T0 + 10_000));
        fleet.write(host, counted(T0 + 20_000, 500));
        assertEquals(List.of(0L, 0L, 0L), dropIncreases());
    }

    @Test
    void anImportedStepWithoutASeriesCarriesItToo() throws Exception {
        SampleRow gap = new SampleRow(T0 + 60_000, true, 5, 262_144, 0, 0, 0, "boot-a",
                Map.of("early_drop", 0L, "insert_failed", 0x11L, "invalid", 0L), new TreeMap<>(), 0, true, Optional.empty());
        new ImportWriter(db, fleet.backlog).importRows(host,
                List.of(counted(T0, 0x40), gap, counted(T0 + 120_000, 0x42)), T0, 0);
        assertEquals(List.of(0L, 0L, 2L), dropIncreases());
    }

    long single(String sql) throws Exception {
        try (var c = db.connect(); var q = c.prepareStatement(sql); ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
