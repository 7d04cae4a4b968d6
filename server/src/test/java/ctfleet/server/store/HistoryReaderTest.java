package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryReaderTest {
    static final long T0 = RollupJobTest.T0;
    static final long NOW = T0 + 3 * Rollups.HOUR;

    @TempDir
    Path dir;

    Database db;
    Fleet fleet;
    HistoryReader history;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        fleet = new Fleet(db);
        history = new HistoryReader(db, Retention.DEFAULT, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        fleet.write(fleet.host("gw-a"), RollupJobTest.history(7).toArray(SampleRow[]::new));
        fleet.write(fleet.host("gw-b"), RollupJobTest.history(8).toArray(SampleRow[]::new));
        new RollupJob(db, fleet.backlog, Retention.DEFAULT).run(NOW);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void autoPicksTheFinestResolutionWhoseRetentionCoversTheStart() {
        long day = 24 * Rollups.HOUR;
        assertEquals(Step.RAW, history.resolve(NOW - day, Step.AUTO));
        assertEquals(Step.MINUTE, history.resolve(NOW - 3 * day, Step.AUTO));
        assertEquals(Step.HOUR, history.resolve(NOW - 90 * day, Step.AUTO));
        assertEquals(Step.HOUR, history.resolve(NOW - day, Step.HOUR), "an explicit step is kept");
    }

    @Test
    void everyResolutionAddsUpToTheSameSamplesAndIncreases() throws Exception {
        long to = T0 + 3 * Rollups.HOUR;
        List<HistoryPoint> raw = history.series("gw-a", T0, to, Step.RAW);
        List<HistoryPoint> minutes = history.series("gw-a", T0, to, Step.MINUTE);
        List<HistoryPoint> hours = history.series("gw-a", T0, to, Step.HOUR);
        assertEquals(900, raw.size());
        assertEquals(3, hours.size());
        for (List<HistoryPoint> s : List.of(raw, minutes, hours)) {
            assertEquals(900, s.stream().mapToInt(HistoryPoint::samples).sum());
            assertEquals(raw.stream().mapToLong(p -> p.increases().drop()).sum(),
                    s.stream().mapToLong(p -> p.increases().drop()).sum());
            for (int i = 1; i < s.size(); i++) {
                assertTrue(s.get(i - 1).ts() < s.get(i).ts(), "oldest first");
            }
        }
        // A bucket covers from the bucket before it's last sample to its own last: the first one,
        // with none before it, from its start.
        assertEquals(hours.get(0).lastTs() - hours.get(0).ts(), hours.get(0).durationMillis());
        assertEquals(hours.get(1).lastTs() - hours.get(0).lastTs(), hours.get(1).durationMillis());
        assertEquals(minutes.get(5).lastTs() - minutes.get(4).lastTs(), minutes.get(5).durationMillis());
        assertEquals(hours.get(0).countMax(), minutes.stream().filter(p -> p.ts() < T0 + Rollups.HOUR)
                .mapToLong(HistoryPoint::countMax).max().orElseThrow());
    }

    @Test
    void rawRangeMeasuresItsFirstIncreaseFromTheSampleBeforeIt() throws Exception {
        List<HistoryPoint> all = history.series("gw-a", T0, NOW, Step.RAW);
        List<HistoryPoint> tail = history.series("gw-a", all.get(10).ts(), NOW, Step.RAW);
        assertEquals(all.get(10), tail.get(0));
        assertTrue(tail.get(0).durationMillis() > 0);
    }

    @Test
    void unknownHostHasNoHistory() throws Exception {
        assertTrue(history.series("nope", T0, NOW, Step.AUTO).isEmpty());
    }

    @Test
    void fleetSeriesStreamsEveryHostInOrderAndMatchesPerHostSeries() throws Exception {
        List<String> hosts = new ArrayList<>();
        List<HistoryPoint> a = new ArrayList<>();
        history.fleetSeries(T0, NOW, Step.MINUTE, (host, p) -> {
            if (hosts.isEmpty() || !hosts.get(hosts.size() - 1).equals(host)) {
                hosts.add(host);
            }
            if (host.equals("gw-a")) {
                a.add(p);
            }
        });
        assertEquals(List.of("gw-a", "gw-b"), hosts);
        assertEquals(history.series("gw-a", T0, NOW, Step.MINUTE), a);
    }
}
