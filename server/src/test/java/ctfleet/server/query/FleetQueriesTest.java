package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import ctfleet.server.store.Step;
import ctfleet.server.store.StoreUnavailable;
import java.nio.file.Path;
import java.sql.SQLException;
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

/** The fleet questions answered in domain types, with no transport: a real H2 file and the real fleet logic. */
class FleetQueriesTest {
    static final long NOW = 1_760_000_000_000L;

    @TempDir
    Path dir;

    Database db;
    FleetQueries queries;

    @BeforeEach
    void fleet() throws Exception {
        db = Database.open(dir);
        RecentRaw recent = new RecentRaw(FleetQueries.DEFAULT_WINDOW);
        RecentBuckets buckets = new RecentBuckets(CountBuckets.MIN_CONTEXT);
        SampleWriter writer = new SampleWriter(db, SampleListener.all(recent, buckets));
        HostStore hosts = new HostStore(db);
        // gw-fast climbs towards its max, gw-slow climbs a little, gw-flat stays put, gw-edge (dc=ams) drops.
        long[] refs = new long[4];
        String[] names = {"gw-fast", "gw-slow", "gw-flat", "gw-edge"};
        for (int h = 0; h < refs.length; h++) {
            refs[h] = hosts.hello(new HostHello(names[h], Map.of("dc", h == 3 ? "ams1" : "fra1"), "6.1", "0.1", 0), 0);
        }
        for (long t = NOW - Duration.ofMinutes(50).toMillis(); t <= NOW; t += 10_000) {
            long minutes = (t - (NOW - Duration.ofMinutes(50).toMillis())) / 60_000;
            List<SampleWrite> batch = new ArrayList<>();
            batch.add(new SampleWrite(refs[0], row(t, 100_000 + minutes * 2_500, 0), t));
            batch.add(new SampleWrite(refs[1], row(t, 50_000 + minutes * 100, 0), t));
            batch.add(new SampleWrite(refs[2], row(t, 20_000, 0), t));
            batch.add(new SampleWrite(refs[3], row(t, 150_000, minutes * 600), t));
            writer.write(batch);
        }
        Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
        queries = new FleetQueries(new FleetReader(db), new HistoryReader(db, Retention.DEFAULT, clock, recent, buckets),
                clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aHostsViewShowsItsOwnLineOfTheRankingAndItsPlaceInTheFleet() throws Exception {
        List<HostRank> top = queries.top(TopQuery.defaults());
        assertEquals(List.of("gw-edge", "gw-fast", "gw-slow", "gw-flat"), top.stream().map(HostRank::host).toList(),
                "dropping first, then by how soon the table fills");
        for (HostRank line : top) {
            HostView v = queries.host(line.host(), FleetQueries.DEFAULT_WINDOW, RankerConfig.DEFAULT_HORIZON);
            assertEquals(line, v.rank(), "the host view and top agree on " + line.host());
            assertEquals(line.host(), v.latest().hostId());
            assertTrue(v.capacity().isPresent() && v.rates().containsKey("drop"), v.toString());
        }
    }

    @Test
    void aHostsPlaceIsRightWithoutARankingOfTheFleetToRemember() throws Exception {
        // No top, no summary, no scrape yet: the host view ranks the fleet for the host's place.
        HostView v = queries.host("gw-slow", FleetQueries.DEFAULT_WINDOW, RankerConfig.DEFAULT_HORIZON);
        assertEquals(3, v.rank().rank());
        // A filtered ranking is not the fleet's: it does not give gw-fast place 1 of a smaller list.
        queries.top(new TopQuery(FleetQueries.DEFAULT_WINDOW, RankerConfig.defaults(),
                new LabelFilter(Map.of("dc", "fra1")), 0));
        assertEquals(2, queries.host("gw-fast", FleetQueries.DEFAULT_WINDOW, RankerConfig.DEFAULT_HORIZON).rank().rank());
    }

    @Test
    void aHostsCapacityPlanIsTheFleetPlansLineWithTheSameDefaults() throws Exception {
        FleetPlan fleet = queries.capacity(CapacityQuery.defaults());
        assertEquals(4, fleet.hosts().size());
        for (PlannedHost p : fleet.hosts()) {
            HostView v = queries.host(p.plan().host(), FleetQueries.DEFAULT_WINDOW, RankerConfig.DEFAULT_HORIZON);
            assertEquals(p.plan().recommendedMax(), v.capacity().orElseThrow().recommendedMax(), p.plan().host());
        }
    }

    @Test
    void badQuestionsSayWhatIsWrongAndUnknownHostsAreNamed() {
        BadQuery longWindow = assertThrows(BadQuery.class, () -> queries.top(new TopQuery(Duration.ofDays(4000),
                RankerConfig.defaults(), LabelFilter.ALL, 0)));
        assertEquals("window of 345600000 s is longer than ten years", longWindow.getMessage());
        BadQuery headroom = assertThrows(BadQuery.class, () -> queries.capacity(new CapacityQuery(
                Duration.ofDays(30), Duration.ofDays(30), 0.5, 0.25, LabelFilter.ALL)));
        assertTrue(headroom.getMessage().startsWith("headroom must be from 1.0 to 100"), headroom.getMessage());
        assertThrows(BadQuery.class, () -> queries.summary(FleetQueries.DEFAULT_WINDOW, Duration.ofDays(31)));
        UnknownHost unknown = assertThrows(UnknownHost.class,
                () -> queries.history("gw-nope", Duration.ofMinutes(10), Step.AUTO));
        assertEquals("no host 'gw-nope' has reported to this server", unknown.getMessage());
    }

    @Test
    void historyAndSummaryAnswerFromTheSameStore() throws Exception {
        HostSeries s = queries.history("gw-flat", Duration.ofMinutes(10), Step.AUTO);
        assertEquals(Step.RAW, s.step());
        assertEquals(61, s.points().size(), "ten minutes of 10-second samples, both ends");
        FleetSummary summary = queries.summary(FleetQueries.DEFAULT_WINDOW, RankerConfig.DEFAULT_HORIZON);
        assertEquals(4, summary.hosts());
        assertEquals("gw-edge", summary.nearest().get(0).host());
        assertTrue(summary.dropsInWindow() > 0, summary.toString());
    }

    @Test
    void aDatabaseThatStoppedStoringAnswersWithTheReasonNotHalfAnAnswer() {
        db.health().failed(new SQLException("File corrupted while reading record [90030-252]", "90030", 90030));
        StoreUnavailable e = assertThrows(StoreUnavailable.class, () -> queries.top(TopQuery.defaults()));
        assertEquals(e.fault().forCaller(), e.getMessage());
        assertThrows(StoreUnavailable.class,
                () -> queries.host("gw-fast", FleetQueries.DEFAULT_WINDOW, RankerConfig.DEFAULT_HORIZON));
    }

    private static SampleRow row(long ts, long count, long drop) {
        return new SampleRow(ts, true, count, 262_144, 65_536, 4096, 0, "first",
                Map.of("drop", drop, "early_drop", 0L, "insert_failed", 0L, "invalid", 0L), new TreeMap<>(),
                320, true, Optional.empty());
    }
}
