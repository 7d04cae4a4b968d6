package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.HistoryPoint;
import ctfleet.proto.v1.HistoryResponse;
import ctfleet.server.fleet.CountBuckets;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.LabelFilter;
import ctfleet.server.fleet.RankerConfig;
import ctfleet.server.fleet.Status;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.RecentBuckets;
import ctfleet.server.store.RecentRaw;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.RollupJob;
import ctfleet.server.store.SampleListener;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.Step;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rates from counters, for an agent sampling every 10 minutes and one sampling every 10 seconds, both
 * refusing at a constant rate: every answer that turns increases into a rate must give that rate,
 * whatever the step or window, because it divides by the time the increases cover. A real H2 file,
 * the real rollups and the real queries.
 */
class SlowSamplerRatesTest {
    /** 25 minutes past an hour: the current hour's bucket is partial. */
    static final long NOW = 1_760_002_800_000L + Duration.ofMinutes(25).toMillis();
    static final long SLOW = Duration.ofMinutes(10).toMillis();
    static final long FAST = Duration.ofSeconds(10).toMillis();
    /** Per second: drop, early_drop, insert_failed. */
    static final double DROP = 253.3;
    static final double EARLY = 1266.3;
    static final double FAILED = 126.6;

    @TempDir
    Path dir;

    Database db;
    FleetQueries queries;

    @BeforeEach
    void fleet() throws Exception {
        db = Database.open(dir);
        RecentRaw recent = new RecentRaw(FleetQueries.DEFAULT_WINDOW);
        RecentBuckets buckets = new RecentBuckets(CountBuckets.MIN_CONTEXT);
        RollupBacklog backlog = new RollupBacklog();
        SampleWriter writer = new SampleWriter(db, SampleListener.all(recent, buckets, backlog));
        HostStore hosts = new HostStore(db);
        write(writer, hosts.hello(new HostHello("gw-slow", Map.of(), "6.1", "0.1", 0), 0), SLOW);
        write(writer, hosts.hello(new HostHello("gw-fast", Map.of(), "6.1", "0.1", 0), 0), FAST);
        new RollupJob(db, backlog, Retention.DEFAULT).run(NOW);
        Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
        queries = new FleetQueries(new FleetReader(db), new HistoryReader(db, Retention.DEFAULT, clock, recent, buckets),
                clock);
    }

    /** Six hours of samples every {@code every} ms, the newest 5 s before now, refusing at the constant rates. */
    private static void write(SampleWriter writer, long host, long every) throws Exception {
        long first = NOW - 5_000 - Duration.ofHours(6).toMillis();
        List<SampleWrite> batch = new ArrayList<>();
        for (long t = first; t <= NOW - 5_000; t += every) {
            double s = (t - first) / 1000.0;
            batch.add(new SampleWrite(host, row(t, Math.round(DROP * s), Math.round(EARLY * s),
                    Math.round(FAILED * s)), t));
            if (batch.size() == 500) {
                writer.write(batch);
                batch.clear();
            }
        }
        writer.write(batch);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void historyRatesAreIncreasesOverTheTimeTheyCoverAtEveryStep() throws Exception {
        for (String host : List.of("gw-slow", "gw-fast")) {
            for (Step step : List.of(Step.RAW, Step.MINUTE, Step.HOUR)) {
                HistoryResponse h = Wire.history(queries.history(host, Duration.ofHours(3), step));
                assertTrue(h.getPointsCount() > 2, host + " " + step);
                // The first raw point of the range counts from the sample before it, a rollup from
                // the bucket before it: every point has its rate.
                for (HistoryPoint p : h.getPointsList()) {
                    String what = host + " " + step + " at " + Instant.ofEpochMilli(p.getTsMillis());
                    assertEquals(DROP, p.getDropsPerSecond(), 0.01, what);
                    assertEquals(EARLY, p.getEarlyDropsPerSecond(), 0.01, what);
                    assertEquals(FAILED, p.getInsertFailedPerSecond(), 0.01, what);
                }
            }
            // The current hour, 25 minutes old: its increase over the time gone by, not over an hour.
            HistoryResponse hour = Wire.history(queries.history(host, Duration.ofSeconds(1), Step.HOUR));
            assertEquals(1, hour.getPointsCount(), host);
            assertEquals(DROP, hour.getPoints(0).getDropsPerSecond(), 0.01, host + " current hour");
        }
    }

    @Test
    void topsRefusalsItsDropsColumnsAndTheHostsRatesAgreeWhateverTheWindow() throws Exception {
        String refusing = String.format(java.util.Locale.ROOT, "refusing %.1f connections/s", DROP + EARLY + FAILED);
        for (Duration window : List.of(Duration.ofHours(1), Duration.ofDays(7), Duration.ofDays(30))) {
            for (HostRank r : queries.top(new TopQuery(window, RankerConfig.defaults(), LabelFilter.ALL, 0))) {
                String what = r.host() + " over " + window;
                // The DROPS columns: the window's increases over the time they cover.
                assertEquals(DROP, r.dropsPerSecond(), 0.01, what);
                assertEquals(EARLY, r.earlyDropsPerSecond(), 0.01, what);
                assertEquals(FAILED, r.insertFailedPerSecond(), 0.01, what);
                // "Now": the newest 10 minutes' increases over the time they cover, the same rate.
                assertTrue(r.reason().startsWith(refusing), what + ": " + r.reason());
                HostView v = queries.host(r.host(), window, RankerConfig.DEFAULT_HORIZON);
                assertEquals(DROP, v.rates().get("drop"), 0.01, what);
                assertEquals(EARLY, v.rates().get("early_drop"), 0.01, what);
                assertEquals(FAILED, v.rates().get("insert_failed"), 0.01, what);
                assertTrue(v.rank().reason().startsWith(refusing), what + ": " + v.rank().reason());
            }
        }
        // Capacity's figure is another one on purpose: refused connections, drop / 7 (a refused SYN is
        // sent 7 times) + early_drop + insert_failed, in the busiest stretch; from the same rates.
        String planned = String.format(java.util.Locale.ROOT, "%,.1f refused connections/s", DROP / 7 + EARLY + FAILED);
        for (PlannedHost p : queries.capacity(CapacityQuery.defaults()).hosts()) {
            assertTrue(String.join(" ", p.plan().evidence()).contains(planned), p.plan().host() + ": " + p.plan().evidence());
        }
    }

    @Test
    void aHostTurnsStaleAfterThreeOfItsOwnIntervalsWhateverTheWindow() throws Exception {
        // Three of its intervals after its newest sample (5 s before NOW), each host turns stale,
        // whether its history is read as raw samples, 10-minute buckets or 1-minute or hourly rollups.
        Map<String, Long> interval = Map.of("gw-slow", SLOW, "gw-fast", FAST);
        for (Duration window : List.of(Duration.ofHours(1), Duration.ofDays(3), Duration.ofDays(7),
                Duration.ofDays(30), Duration.ofDays(90))) {
            for (var host : interval.entrySet()) {
                long newest = NOW - 5_000;
                String what = host.getKey() + " over " + window;
                assertEquals(Status.DROPPING, statusAt(newest + 3 * host.getValue() - 1_000, host.getKey(), window),
                        what + ", silent for a little under three intervals");
                assertEquals(Status.STALE, statusAt(newest + 3 * host.getValue() + 1_000, host.getKey(), window),
                        what + ", silent for a little over three intervals");
            }
        }
    }

    private Status statusAt(long millis, String host, Duration window) throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
        // The database's answer (no memory): the rollups a long window reads are what is checked.
        FleetQueries at = new FleetQueries(new FleetReader(db), new HistoryReader(db, Retention.DEFAULT, clock), clock);
        for (HostRank r : at.top(new TopQuery(window, RankerConfig.defaults(), LabelFilter.ALL, 0))) {
            if (r.host().equals(host)) {
                return r.status();
            }
        }
        throw new AssertionError(host + " not ranked");
    }

    private static SampleRow row(long ts, long drop, long early, long failed) {
        return new SampleRow(ts, true, 262_144, 262_144, 65_536, 4096, 0, "first",
                Map.of("drop", drop, "early_drop", early, "insert_failed", failed, "invalid", 0L), new TreeMap<>(),
                320, true, Optional.empty());
    }
}
