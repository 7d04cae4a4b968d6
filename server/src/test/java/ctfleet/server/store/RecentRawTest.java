package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.store.SampleWrite;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ranking's hour of raw samples from memory must be exactly what a fresh read of the database
 * gives: the same points, oldest first, the same counter increases and gaps, whatever was written
 * in between and by whom.
 */
class RecentRawTest {
    static final long T0 = RollupJobTest.T0;
    static final long HOUR = Rollups.HOUR;

    @TempDir
    Path dir;

    Database db;
    final MovingClock clock = new MovingClock(T0 + 2 * HOUR);
    final RecentRaw recent = new RecentRaw(Duration.ofHours(1));
    SampleWriter store;
    ImportWriter imports;
    HistoryReader cached;
    Fleet fleet;
    long a;
    long b;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        fleet = new Fleet(db);
        store = new SampleWriter(db, SampleListener.all(fleet.backlog, recent));
        imports = new ImportWriter(db, SampleListener.all(fleet.backlog, recent));
        cached = new HistoryReader(db, Retention.DEFAULT, clock, recent);
        a = fleet.host("gw-a");
        b = fleet.host("gw-b");
        for (long t = T0; t < T0 + 2 * HOUR; t += 10_000) {
            write(store, a, t);
            write(store, b, t + 3_000);
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void servesWhatTheDatabaseHoldsAsTheWindowSlidesAndSamplesArrive() throws Exception {
        assertSameHour("first read fills the tails from the database");
        Random r = new Random(7);
        for (int tick = 0; tick < 500; tick++) { // past the arrays' first growth, and past trimming
            clock.advance(10_000);
            write(store, a, clock.millis() - 1_000);
            if (tick % 7 != 0) {
                write(store, b, clock.millis() - 2_000); // b misses some samples: gaps
            }
            if (tick % 50 == 0) {
                write(store, a, clock.millis() - 5_000 - r.nextInt(2_000)); // late, between two stored ones
                writeAgain(a, clock.millis() - 1_000); // a re-send: a duplicate, not a second point
            }
            if (tick % 25 == 0) {
                assertSameHour("tick " + tick);
            }
        }
        assertSameHour("end");
    }

    @Test
    void readsFromMemoryOnceFilled() throws Exception {
        assertSameHour("fill");
        List<String> before = hour(cached);
        try (var c = db.connect(); var st = c.createStatement()) {
            // Behind the cache's back, leaving host_latest as it was: only memory still has the rows.
            st.executeUpdate("DELETE FROM samples WHERE id >= " + SampleKey.bound(a, clock.millis() - HOUR / 2)
                    + " AND id < " + SampleKey.bound(a, clock.millis() - HOUR / 4));
        }
        assertEquals(before, hour(cached));
        assertTrue(hour(fresh()).size() < before.size(), "the database lost rows the memory still serves");
    }

    @Test
    void seesSamplesAnotherServerWrote() throws Exception {
        assertSameHour("fill");
        SampleWriter otherServer = new SampleWriter(db);
        clock.advance(10_000);
        write(otherServer, a, clock.millis() - 1_000);
        assertSameHour("the host's newer latest state sends the tail back to the database");
        assertTrue(hour(cached).contains("gw-a@" + (clock.millis() - 1_000)), hour(cached).toString());
    }

    @Test
    void anImportSendsTheHostBackToTheDatabase() throws Exception {
        assertSameHour("fill");
        // A gap in the last hour, filled by imported history (e.g. from Prometheus).
        long gap = clock.millis() - HOUR / 2 + 5_000;
        imports.importRows(a, List.of(row(gap, 77)), clock.millis(), 0);
        assertSameHour("after the import");
        assertTrue(hour(cached).contains("gw-a@" + gap));
    }

    @Test
    void onlyTheRecentRawWindowIsServedFromMemory() {
        assertTrue(cached.servesRecent(clock.millis() - HOUR, Step.AUTO));
        assertFalse(cached.servesRecent(clock.millis() - 2 * HOUR, Step.AUTO), "longer than the kept hour");
        assertFalse(cached.servesRecent(clock.millis() - HOUR, Step.MINUTE), "rollups come from the database");
        assertFalse(new HistoryReader(db, Retention.DEFAULT, clock).servesRecent(clock.millis() - HOUR, Step.AUTO),
                "a reader without memory");
    }

    @Test
    void aLateSampleSplitsItsSuccessorsIncrease() throws Exception {
        assertSameHour("fill");
        long t = clock.millis() - HOUR / 2 + 5_000; // between two of a's samples, 10 s apart
        write(store, a, t);
        assertSameHour("after the late sample");
        assertTrue(hour(cached).contains("gw-a@" + t));
    }

    private void assertSameHour(String when) throws Exception {
        List<String> expected = windows(fresh());
        assertEquals(expected, windows(cached), when);
        assertEquals(expected, windows(cached), when + ", read again");
        assertEquals(2, expected.size());
    }

    @Test
    void aFleetCopiedOnEveryCoreIsWhatAFreshReadGivesInHostOrder() throws Exception {
        // Past PARALLEL_FROM hosts the windows in memory are copied out on every core.
        int more = HistoryReader.PARALLEL_FROM + 6;
        writeHosts(fleet, store, more, clock.millis() - HOUR, clock.millis(), 30_000);
        assertCopiedAsRead(windows(fresh()), windows(cached), windows(cached), more + 2);
    }

    /** {@code hosts} hosts gw-000… sampled every {@code every} ms over [from, to), a few seconds apart. */
    static void writeHosts(Fleet fleet, SampleWriter store, int hosts, long from, long to, long every)
            throws Exception {
        for (long t = from; t < to; t += every) {
            List<SampleWrite> batch = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                long ts = t + every / 10 * (i % 8);
                batch.add(new SampleWrite(fleet.host(String.format("gw-%03d", i)), row(ts, (ts / 1000 + 977L * i) % 50_000), t));
            }
            store.write(batch);
        }
    }

    /** Windows as "host …" lines: a fresh read's, the cached reader's first (from the database) and second (memory). */
    static void assertCopiedAsRead(List<String> fresh, List<String> first, List<String> second, int hosts) {
        assertEquals(hosts, fresh.size());
        List<String> ids = fresh.stream().map(w -> w.substring(0, w.indexOf(' '))).toList();
        assertEquals(ids.stream().sorted().toList(), ids, "one call per host, in host id order");
        assertEquals(fresh, first, "read from the database, then kept");
        assertEquals(fresh, second, "copied from memory");
    }

    /** A reader whose memory is empty: every window is read from the database. */
    private HistoryReader fresh() {
        return new HistoryReader(db, Retention.DEFAULT, clock, new RecentRaw(Duration.ofHours(1)));
    }

    /** host@ts of the last hour's points, as the ranking asks for them. */
    private List<String> hour(HistoryReader reader) throws Exception {
        List<String> out = new ArrayList<>();
        reader.recentWindows(clock.millis() - HOUR, clock.millis() + 1, (host, w) -> {
            for (var p : w.counts()) {
                out.add(host + "@" + p.ts().toEpochMilli());
            }
        });
        return out;
    }

    /** Each host's last hour in full: counts, the increases over it and the gaps between points. */
    private List<String> windows(HistoryReader reader) throws Exception {
        List<String> out = new ArrayList<>();
        reader.recentWindows(clock.millis() - HOUR, clock.millis() + 1, (host, w) -> out.add(host + " "
                + w.counts().stream().map(p -> p.ts().toEpochMilli() + ", " + p.count() + ", " + p.max()).toList()
                + " " + w.increases() + " " + java.util.Arrays.toString(w.gaps())));
        return out;
    }

    private void write(SampleWriter to, long host, long ts) throws Exception {
        to.write(List.of(new SampleWrite(host, row(ts, ts / 1000 % 50_000), clock.millis())));
    }

    private void writeAgain(long host, long ts) throws Exception {
        List<WriteOutcome> out = store.write(List.of(new SampleWrite(host, row(ts, ts / 1000 % 50_000), clock.millis())));
        assertEquals(List.of(WriteOutcome.DUPLICATE), out);
    }

    static SampleRow row(long ts, long count) {
        // Counters from the time, so that increases differ from point to point and wrap nowhere.
        return Fleet.row(ts, count, 262_144, "boot", ts / 10_000 % 1_000_000, ts / 20_000 % 1_000_000, 0, 0);
    }

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        private long millis;

        MovingClock(long millis) {
            this.millis = millis;
        }

        void advance(long by) {
            millis += by;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
