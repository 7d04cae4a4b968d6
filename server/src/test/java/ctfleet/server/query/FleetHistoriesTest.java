package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.fleet.HostHistory;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.ImportWriter;
import ctfleet.server.fleet.CountBuckets;
import ctfleet.server.store.RecentBuckets;
import ctfleet.server.store.RecentRaw;
import ctfleet.server.store.RetentionJob;
import ctfleet.server.store.RollupJob;
import ctfleet.server.store.SampleListener;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.WriteOutcome;
import ctfleet.server.store.SampleWrite;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ranking's inputs are the same whether they come from memory or from the database. */
class FleetHistoriesTest {
    static final long NOW = 1_760_000_000_000L;

    @TempDir
    Path dir;

    Database db;

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void whatTheRankingReadsIsTheSameFromMemoryAsFromTheDatabase() throws Exception {
        db = Database.open(dir);
        RecentRaw recent = new RecentRaw(FleetQueries.DEFAULT_WINDOW);
        RecentBuckets buckets = new RecentBuckets(CountBuckets.MIN_CONTEXT);
        SampleWriter store = new SampleWriter(db, SampleListener.all(new RollupBacklog(), recent, buckets));
        HostStore hosts = new HostStore(db);
        Random r = new Random(3);
        long[] refs = new long[5];
        long[] drop = {(1L << 32) - 500, 0, 0, 0, 0}; // gw-0 wraps its 32-bit counter
        for (int h = 0; h < refs.length; h++) {
            refs[h] = hosts.hello(new HostHello("gw-" + h, Map.of("dc", "d" + h), "6.1", "0.1", 0), 0);
        }
        Clock half = at(NOW - Duration.ofMinutes(60).toMillis());
        HistoryReader cached = new HistoryReader(db, Retention.DEFAULT, half, recent, buckets);
        // Three hours of samples; the first Top call happens an hour before the end, then samples keep arriving.
        for (long t = NOW - Duration.ofMinutes(180).toMillis(); t <= NOW; t += 10_000) {
            List<SampleWrite> batch = new ArrayList<>();
            for (int h = 0; h < refs.length; h++) {
                if (h == 2 && r.nextInt(5) == 0) {
                    continue; // gw-2 misses samples: gaps, and a longer median interval
                }
                if (h == 4 && t < NOW - Duration.ofMinutes(30).toMillis()) {
                    continue; // gw-4 is new: half an hour of data, read raw
                }
                drop[h] = (drop[h] + r.nextInt(40)) % (1L << 32);
                String boot = h == 3 && t > NOW - Duration.ofMinutes(20).toMillis() ? "after-reboot" : "first";
                batch.add(new SampleWrite(refs[h], row(t + h * 1_000L, 1000 + r.nextInt(500) + (t - NOW) / 1000, boot,
                        boot.equals("first") ? drop[h] : r.nextInt(5)), t));
            }
            store.write(batch);
            if (t == NOW - Duration.ofMinutes(60).toMillis()) {
                new FleetHistories(new FleetReader(db), cached, half).forRanking(FleetQueries.DEFAULT_WINDOW);
            }
        }
        // A late sample, between two of gw-1's, after the tails exist.
        store.write(List.of(new SampleWrite(refs[1], row(NOW - Duration.ofMinutes(10).toMillis() + 6_000, 1234, "first",
                drop[1]), NOW)));

        Clock now = at(NOW);
        for (Duration window : List.of(FleetQueries.DEFAULT_WINDOW, Duration.ofHours(24))) {
            Map<String, HostHistory> fromMemory = byHost(new FleetHistories(new FleetReader(db),
                    new HistoryReader(db, Retention.DEFAULT, now, recent, buckets), now), window);
            Map<String, HostHistory> fromDatabase = byHost(new FleetHistories(new FleetReader(db),
                    new HistoryReader(db, Retention.DEFAULT, now), now), window);
            assertEquals(fromDatabase, fromMemory, "window " + window);
            assertEquals(5, fromMemory.size());
            HostHistory gw0 = fromMemory.get("gw-0");
            assertEquals(19, gw0.points().size(), "three hours in 10-minute buckets: " + gw0.points());
            assertTrue(gw0.recent().size() >= 359, "and the last hour raw, for surges");
            assertTrue(gw0.points().get(5).samples() >= 59, "a bucket holds its samples");
            assertTrue(gw0.counters().get(gw0.counters().size() - 1).stats().get("drop") > 0, "the wrap counts as growth");
            HostHistory young = fromMemory.get("gw-4");
            assertTrue(young.points().size() > 170 && young.recent().isEmpty(), "half an hour of data is read raw");
        }
    }

    @Test
    void aWindowLongerThanMemoryIsForecastFromHourlyBucketsOfTheRollups() throws Exception {
        db = Database.open(dir);
        RollupBacklog backlog = new RollupBacklog();
        ImportWriter store = new ImportWriter(db, backlog);
        long ref = new HostStore(db).hello(new HostHello("gw-grow", Map.of(), "6.1", "0.1", 0), 0);
        // Four days of minutes, 20 % -> 65 % of max: imported history, rolled up, raw rows past 48 h gone.
        long start = NOW - Duration.ofDays(4).toMillis();
        List<SampleRow> rows = new ArrayList<>();
        for (long t = start; t <= NOW; t += 60_000) {
            long count = Math.round(262_144 * (0.20 + 0.45 * (t - start) / (double) (NOW - start)));
            rows.add(row(t, count, "first", 0));
        }
        store.importRows(ref, rows, NOW, 0);
        new RollupJob(db, backlog, Retention.DEFAULT).run(NOW);
        new RetentionJob(db, Retention.DEFAULT, backlog).run(NOW);
        Clock now = at(NOW);
        HostHistory h = new FleetHistories(new FleetReader(db), new HistoryReader(db, Retention.DEFAULT, now), now)
                .forRanking(Duration.ofDays(4)).histories().get(0);
        assertEquals(97, h.points().size(), "hourly buckets of the 1-minute rollups");
        assertEquals(60, h.points().get(10).samples());
        assertTrue(h.points().get(10).peak() > h.points().get(10).count(), "a bucket's peak is its highest minute");
        var rank = new ctfleet.server.fleet.Ranker(ctfleet.server.fleet.RankerConfig.defaults()).assess(h, now.instant());
        // 65 % now, +11.25 % of max a day: full in a little over three days.
        assertEquals(3.1, rank.etaSeconds().getAsDouble() / 86_400, 0.3, rank.toString());
    }

    private static Map<String, HostHistory> byHost(FleetHistories histories, Duration window) throws Exception {
        Map<String, HostHistory> out = new TreeMap<>();
        for (HostHistory h : histories.forRanking(window).histories()) {
            out.put(h.host(), h);
        }
        return out;
    }

    private static SampleRow row(long ts, long count, String boot, long drop) {
        return new SampleRow(ts, true, count, 262_144, 65_536, 4096, 0, boot,
                Map.of("drop", drop, "early_drop", drop / 3, "insert_failed", 0L, "invalid", 7L), new TreeMap<>(),
                320, true, Optional.empty());
    }

    private static Clock at(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
