package ctfleet.server.store;

import static ctfleet.server.store.RecentRawTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.fleet.CountBuckets;
import ctfleet.server.store.RecentRawTest.MovingClock;
import ctfleet.server.store.SampleWrite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forecast's two days of buckets from memory must be what a fresh read gives: from raw rows,
 * from 1-minute rollups and the raw rows after them, after late samples, other servers' writes and
 * imports.
 */
class RecentBucketsTest {
    static final long T0 = RollupJobTest.T0;
    static final long HOUR = Rollups.HOUR;
    static final long CONTEXT = CountBuckets.MIN_CONTEXT.toMillis();

    @TempDir
    Path dir;

    Database db;
    final MovingClock clock = new MovingClock(T0 + 6 * HOUR);
    final RecentBuckets buckets = new RecentBuckets(CountBuckets.MIN_CONTEXT);
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
        store = new SampleWriter(db, SampleListener.all(fleet.backlog, buckets));
        imports = new ImportWriter(db, SampleListener.all(fleet.backlog, buckets));
        cached = new HistoryReader(db, Retention.DEFAULT, clock, RecentRaw.NONE, buckets);
        a = fleet.host("gw-a");
        b = fleet.host("gw-b");
        for (long t = T0; t < T0 + 6 * HOUR; t += 30_000) {
            store.write(List.of(new SampleWrite(a, row(t, t / 1000 % 50_000), t), new SampleWrite(b, row(t + 3_000, (t + 3_000) / 1000 % 50_000), t)));
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void servesWhatTheDatabaseHoldsAsTimePassesAndSamplesArrive() throws Exception {
        assertSame("first read fills the tails from the database");
        for (int tick = 0; tick < 400; tick++) {
            clock.advance(10_000);
            write(store, a, clock.millis() - 1_000);
            if (tick % 7 != 0) {
                write(store, b, clock.millis() - 2_000); // b misses some samples: gaps
            }
            if (tick % 100 == 0) {
                assertSame("tick " + tick);
            }
        }
        assertSame("end");
    }

    @Test
    void rollupsCarryWhatTheBucketsNeed() throws Exception {
        List<String> live = windows(cached);
        new RollupJob(db, fleet.backlog, Retention.DEFAULT).run(clock.millis());
        // A fresh reader now loads 1-minute rollups for all but the newest minutes, then raw rows.
        assertEquals(live, windows(fresh()), "the same buckets from rollups as from raw samples");
    }

    @Test
    void readsFromMemoryOnceFilled() throws Exception {
        assertSame("fill");
        List<String> before = windows(cached);
        try (var c = db.connect(); var st = c.createStatement()) {
            // Behind the cache's back, leaving host_latest as it was: only memory still has the rows.
            st.executeUpdate("DELETE FROM samples WHERE id >= " + SampleKey.bound(a, clock.millis() - 3 * HOUR)
                    + " AND id < " + SampleKey.bound(a, clock.millis() - 2 * HOUR));
        }
        assertEquals(before, windows(cached));
        assertTrue(!windows(fresh()).equals(before), "the database lost rows the memory still serves");
    }

    @Test
    void seesSamplesAnotherServerWroteAndImports() throws Exception {
        assertSame("fill");
        clock.advance(10_000);
        write(new SampleWriter(db), a, clock.millis() - 1_000);
        assertSame("the host's newer latest state sends the tail back to the database");
        imports.importRows(b, List.of(row(clock.millis() - 3 * HOUR + 5_000, 77)), clock.millis(), 0);
        assertSame("an import forgets the host's tail");
    }

    @Test
    void aTailIsReadAgainAfterItsMaximumAge() throws Exception {
        assertSame("fill");
        List<String> before = windows(cached);
        try (var c = db.connect(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM samples WHERE id >= " + SampleKey.bound(a, clock.millis() - 3 * HOUR)
                    + " AND id < " + SampleKey.bound(a, clock.millis() - 2 * HOUR));
        }
        clock.advance(RecentBuckets.MAX_AGE_MILLIS + RecentBuckets.MAX_AGE_SPREAD_MILLIS + 1);
        assertTrue(!windows(cached).equals(before), "read again, so the deleted rows are gone from memory too");
    }

    @Test
    void aLateSampleCountsInItsBucket() throws Exception {
        assertSame("fill");
        long t = clock.millis() - 2 * HOUR + 5_000; // between two of a's samples, 30 s apart
        write(store, a, t);
        // Its count and peak are in its bucket at once; its counter increase only once read again.
        assertEquals(points(fresh()), points(cached));
    }

    @Test
    void aFleetCopiedOnEveryCoreIsWhatAFreshReadGivesInHostOrder() throws Exception {
        // Past PARALLEL_FROM hosts the windows in memory are copied out on every core.
        int more = HistoryReader.PARALLEL_FROM + 6;
        RecentRawTest.writeHosts(fleet, store, more, clock.millis() - 3 * HOUR, clock.millis(), 60_000);
        RecentRawTest.assertCopiedAsRead(windows(fresh()), windows(cached), windows(cached), more + 2);
    }

    private void assertSame(String when) throws Exception {
        List<String> expected = windows(fresh());
        assertEquals(expected, windows(cached), when);
        assertEquals(expected, windows(cached), when + ", read again");
        assertEquals(2, expected.size());
    }

    /** A reader whose memory is empty: every context is read from the database. */
    private HistoryReader fresh() {
        return new HistoryReader(db, Retention.DEFAULT, clock, RecentRaw.NONE, new RecentBuckets(CountBuckets.MIN_CONTEXT));
    }

    /** Each host's context in full: the buckets, and the increases over the last hour and its last 10 minutes. */
    private List<String> windows(HistoryReader reader) throws Exception {
        List<String> out = new ArrayList<>();
        long now = clock.millis();
        reader.recentBuckets(now - CONTEXT, now - HOUR, Duration.ofMinutes(10).toMillis(), now + 1,
                (host, w) -> out.add(host + " " + w.points() + " " + w.increases() + " " + w.recent() + " "
                        + w.rateFrom() + " " + w.interval()));
        return out;
    }

    private List<String> points(HistoryReader reader) throws Exception {
        List<String> out = new ArrayList<>();
        long now = clock.millis();
        reader.recentBuckets(now - CONTEXT, now - HOUR, Duration.ofMinutes(10).toMillis(), now + 1,
                (host, w) -> out.add(host + " " + w.points()));
        return out;
    }

    private void write(SampleWriter to, long host, long ts) throws Exception {
        to.write(List.of(new SampleWrite(host, row(ts, ts / 1000 % 50_000), clock.millis())));
    }
}
