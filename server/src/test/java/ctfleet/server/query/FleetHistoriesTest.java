package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.fleet.HostHistory;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.RecentRaw;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleStore;
import ctfleet.server.store.SampleStore.Write;
import ctfleet.server.store.Step;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ranking's inputs are the same whether the hour comes from memory or from the database. */
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
    void theHourFromMemoryGivesTheSameHostHistoriesAsTheDatabase() throws Exception {
        db = Database.open(dir);
        RecentRaw recent = new RecentRaw(QueryService.DEFAULT_WINDOW);
        SampleStore store = new SampleStore(db, new RollupBacklog(), recent);
        HostStore hosts = new HostStore(db);
        Random r = new Random(3);
        long[] refs = new long[4];
        long[] drop = {(1L << 32) - 500, 0, 0, 0}; // gw-0 wraps its 32-bit counter within the hour
        for (int h = 0; h < refs.length; h++) {
            refs[h] = hosts.hello(new HostHello("gw-" + h, Map.of("dc", "d" + h), "6.1", "0.1", 0), 0);
        }
        Clock half = at(NOW - Duration.ofMinutes(30).toMillis());
        HistoryReader cached = new HistoryReader(db, Retention.DEFAULT, half, recent);
        // Ninety minutes of samples; the first Top call happens half way, then samples keep arriving.
        for (long t = NOW - Duration.ofMinutes(90).toMillis(); t <= NOW; t += 10_000) {
            List<Write> batch = new ArrayList<>();
            for (int h = 0; h < refs.length; h++) {
                if (h == 2 && r.nextInt(5) == 0) {
                    continue; // gw-2 misses samples: gaps, and a longer median interval
                }
                drop[h] = (drop[h] + r.nextInt(40)) % (1L << 32);
                String boot = h == 3 && t > NOW - Duration.ofMinutes(20).toMillis() ? "after-reboot" : "first";
                batch.add(new Write(refs[h], row(t + h * 1_000L, 1000 + r.nextInt(500) + (t - NOW) / 1000, boot,
                        boot.equals("first") ? drop[h] : r.nextInt(5)), t));
            }
            store.write(batch);
            if (t == NOW - Duration.ofMinutes(30).toMillis()) {
                new FleetHistories(new FleetReader(db), cached, half).load(QueryService.DEFAULT_WINDOW, Step.AUTO);
            }
        }
        // A late sample, between two of gw-1's, after the tails exist.
        store.write(List.of(new Write(refs[1], row(NOW - Duration.ofMinutes(10).toMillis() + 6_000, 1234, "first",
                drop[1]), NOW)));

        Clock now = at(NOW);
        Map<String, HostHistory> fromMemory = byHost(new FleetHistories(new FleetReader(db),
                new HistoryReader(db, Retention.DEFAULT, now, recent), now));
        Map<String, HostHistory> fromDatabase = byHost(new FleetHistories(new FleetReader(db),
                new HistoryReader(db, Retention.DEFAULT, now), now));
        assertEquals(fromDatabase, fromMemory);
        assertEquals(4, fromMemory.size());
        assertTrue(fromMemory.get("gw-0").points().size() > 300, "an hour of points");
        assertTrue(fromMemory.get("gw-0").counters().get(1).stats().get("drop") > 0, "the wrap counts as growth");
    }

    private static Map<String, HostHistory> byHost(FleetHistories histories) throws Exception {
        Map<String, HostHistory> out = new TreeMap<>();
        for (HostHistory h : histories.load(QueryService.DEFAULT_WINDOW, Step.AUTO).histories()) {
            out.put(h.host(), h);
        }
        return out;
    }

    private static SampleRow row(long ts, long count, String boot, long drop) {
        return new SampleRow(ts, true, count, 262_144, 65_536, 4096, 0, boot,
                Map.of("drop", drop, "early_drop", drop / 3, "insert_failed", 0L, "invalid", 7L), new TreeMap<>(),
                320, true, "");
    }

    private static Clock at(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
