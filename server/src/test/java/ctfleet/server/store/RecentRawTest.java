package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.store.SampleStore.Write;
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
 * The ranking's hour of raw samples from memory must be exactly what the database holds: the same
 * points, oldest first, with the same increases, whatever was written in between and by whom.
 */
class RecentRawTest {
    static final long T0 = RollupJobTest.T0;
    static final long HOUR = Rollups.HOUR;

    @TempDir
    Path dir;

    Database db;
    final MovingClock clock = new MovingClock(T0 + 2 * HOUR);
    final RecentRaw recent = new RecentRaw(Duration.ofHours(1));
    SampleStore store;
    HistoryReader cached;
    HistoryReader direct;
    Fleet fleet;
    long a;
    long b;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        fleet = new Fleet(db);
        store = new SampleStore(db, fleet.backlog, recent);
        cached = new HistoryReader(db, Retention.DEFAULT, clock, recent);
        direct = new HistoryReader(db, Retention.DEFAULT, clock);
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
        assertTrue(hour(direct).size() < before.size(), "the database lost rows the memory still serves");
    }

    @Test
    void seesSamplesAnotherServerWrote() throws Exception {
        assertSameHour("fill");
        SampleStore otherServer = new SampleStore(db);
        clock.advance(10_000);
        write(otherServer, a, clock.millis() - 1_000);
        assertSameHour("the host's newer latest state sends the tail back to the database");
        assertTrue(hour(cached).contains("gw-a@" + (clock.millis() - 1_000)));
    }

    @Test
    void anImportSendsTheHostBackToTheDatabase() throws Exception {
        assertSameHour("fill");
        // A gap in the last hour, filled by imported history (e.g. from Prometheus).
        long gap = clock.millis() - HOUR / 2 + 5_000;
        store.importRows(a, List.of(row(gap, 77)), clock.millis(), 0);
        assertSameHour("after the import");
        assertTrue(hour(cached).contains("gw-a@" + gap));
    }

    @Test
    void longerWindowsReadTheDatabase() throws Exception {
        long from = clock.millis() - 2 * HOUR;
        assertFalse(recent.serves(from, clock.millis()));
        assertTrue(recent.serves(clock.millis() - HOUR, clock.millis()));
        assertEquals(points(direct, from), points(cached, from));
        assertEquals(1440, points(cached, from).size());
    }

    private void assertSameHour(String when) throws Exception {
        long from = clock.millis() - HOUR;
        List<String> expected = points(direct, from);
        assertEquals(expected, points(cached, from), when);
        assertEquals(expected, points(cached, from), when + ", read again");
    }

    /** host@ts of the last hour's points, as the ranking asks for them. */
    private List<String> hour(HistoryReader reader) throws Exception {
        List<String> out = new ArrayList<>();
        reader.fleetSeries(clock.millis() - HOUR, clock.millis() + 1, Step.AUTO, (host, p) -> out.add(host + "@" + p.ts()));
        return out;
    }

    private List<String> points(HistoryReader reader, long from) throws Exception {
        List<String> out = new ArrayList<>();
        reader.fleetSeries(from, clock.millis() + 1, Step.AUTO, (host, p) -> out.add(host + " " + p));
        return out;
    }

    private void write(SampleStore to, long host, long ts) throws Exception {
        to.write(List.of(new Write(host, row(ts, ts / 1000 % 50_000), clock.millis())));
    }

    private void writeAgain(long host, long ts) throws Exception {
        List<SampleStore.Outcome> out = store.write(List.of(new Write(host, row(ts, ts / 1000 % 50_000), clock.millis())));
        assertEquals(List.of(SampleStore.Outcome.DUPLICATE), out);
    }

    private static SampleRow row(long ts, long count) {
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
