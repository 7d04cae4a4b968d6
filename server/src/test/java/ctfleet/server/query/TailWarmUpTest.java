package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.CtfleetServer;
import ctfleet.server.fleet.CountBuckets;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.LabelFilter;
import ctfleet.server.fleet.RankerConfig;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.RecentBuckets;
import ctfleet.server.store.RecentRaw;
import ctfleet.server.store.Retention;
import ctfleet.server.store.SampleListener;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.SampleWriter;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a start the hosts' tails are read from the database once: by the warm-up, or by whichever
 * call gets to a host first while the others wait for it.
 */
class TailWarmUpTest {
    static final long NOW = 1_760_000_000_000L;
    static final int HOSTS = 150;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void concurrentFirstCallsReadEachTailOnceAndAnswerAsTheDatabaseDoes() throws Exception {
        Database db = Database.open(dir);
        try {
            fill(db);
            RecentRaw recent = new RecentRaw(FleetQueries.DEFAULT_WINDOW);
            RecentBuckets buckets = new RecentBuckets(CountBuckets.MIN_CONTEXT);
            HistoryReader history = new HistoryReader(db, Retention.DEFAULT, CLOCK, recent, buckets);
            FleetQueries queries = new FleetQueries(new FleetReader(db), history, CLOCK);

            // The warm-up and two first calls (the default window and a day) all at once, on a cold memory.
            ExecutorService pool = Executors.newFixedThreadPool(3);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> calls = new ArrayList<>();
            calls.add(pool.submit(() -> {
                go.await();
                return queries.warmUp();
            }));
            for (Duration window : List.of(FleetQueries.DEFAULT_WINDOW, Duration.ofHours(24))) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return queries.top(top(window));
                }));
            }
            go.countDown();
            for (Future<?> f : calls) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(2L * HOSTS, history.tailReads(), "each host's raw and bucketed tail, read once");
            assertEquals(0, queries.warmUp(), "a second warm-up finds everything in memory");

            FleetQueries fromDatabase = new FleetQueries(new FleetReader(db), new HistoryReader(db, Retention.DEFAULT,
                    CLOCK), CLOCK);
            for (Duration window : List.of(FleetQueries.DEFAULT_WINDOW, Duration.ofHours(24))) {
                assertEquals(lines(fromDatabase.top(top(window))), lines(queries.top(top(window))), "window " + window);
            }
            assertEquals(2L * HOSTS, history.tailReads(), "and the answers came from memory");
        } finally {
            db.close();
        }
    }

    @Test
    void theServerReadsTheTailsInTheBackgroundWhenItStarts() throws Exception {
        Database db = Database.open(dir);
        fill(db);
        try (CtfleetServer server = new CtfleetServer(InProcessServerBuilder.forName("warm-up").directExecutor(), db,
                CLOCK).start()) {
            assertEquals(2L * HOSTS, server.warmedUp().get(120, TimeUnit.SECONDS));
        }
    }

    private static TopQuery top(Duration window) {
        return new TopQuery(window, RankerConfig.defaults(), LabelFilter.ALL, 0);
    }

    private static List<String> lines(List<HostRank> ranks) {
        List<String> out = new ArrayList<>();
        for (HostRank r : ranks) {
            out.add(r.rank() + " " + r.host() + " " + r.pFull() + " " + r.etaSeconds() + " " + r.status() + " "
                    + r.reason());
        }
        assertTrue(out.size() == HOSTS, "every host ranked: " + out.size());
        return out;
    }

    /** HOSTS hosts, 40 minutes at 20 s: some flat, some climbing, at different levels. */
    private static void fill(Database db) throws Exception {
        SampleWriter writer = new SampleWriter(db, SampleListener.all());
        HostStore hosts = new HostStore(db);
        long[] refs = new long[HOSTS];
        for (int h = 0; h < HOSTS; h++) {
            refs[h] = hosts.hello(new HostHello(String.format("gw-%03d", h), Map.of("dc", "d" + h % 3), "6.1", "0.1", 0),
                    0);
        }
        long start = NOW - Duration.ofMinutes(40).toMillis();
        for (long t = start; t <= NOW; t += 20_000) {
            List<SampleWrite> batch = new ArrayList<>(HOSTS);
            for (int h = 0; h < HOSTS; h++) {
                long count = 20_000 + h * 1_000L + (h % 4 == 0 ? (t - start) / 1_000 * (h % 7 + 1) : 0);
                batch.add(new SampleWrite(refs[h], row(t, count), t));
            }
            writer.write(batch);
        }
    }

    private static SampleRow row(long ts, long count) {
        return new SampleRow(ts, true, count, 262_144, 65_536, 4096, 0, "first",
                Map.of("drop", 0L, "early_drop", 0L, "insert_failed", 0L, "invalid", 0L), new TreeMap<>(), 320, true,
                Optional.empty());
    }
}
