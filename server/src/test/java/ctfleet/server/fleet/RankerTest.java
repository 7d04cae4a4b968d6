package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankerTest {
    private static final long MAX = 100_000;
    private final Ranker ranker = new Ranker(RankerConfig.defaults());

    private List<String> order(HostHistory... hosts) {
        return ranker.rank(List.of(hosts), Series.NOW).stream().map(HostRank::host).toList();
    }

    private static HostHistory dropping(String id, long count, long dropsPerMinute) {
        return Series.host(id, MAX, Series.counts(60, MAX, i -> count),
                Series.counters(60, "early_drop", i -> 1000 + dropsPerMinute * i));
    }

    private static HostHistory growing(String id, long start, long perMinute) {
        return Series.host(id, MAX, Series.counts(60, MAX, i -> start + perMinute * i),
                Series.counters(60, "drop", i -> 0));
    }

    private static HostHistory withStatus(HostHistory h, ConntrackModule module, long max) {
        return new HostHistory(h.host(), h.labels(), module, h.count(), max, h.buckets(), h.lastSeen(), h.interval(),
                h.points(), h.counters());
    }

    @Test
    void rankPutsDroppingHostsFirst() {
        List<HostRank> ranked = ranker.rank(List.of(Series.flat("full-ish", 95_000, MAX), dropping("dropper", 40_000, 3)),
                Series.NOW);
        assertEquals("dropper", ranked.get(0).host());
        assertEquals(1, ranked.get(0).rank());
        assertEquals(Status.DROPPING, ranked.get(0).status());
        assertEquals(3 / 60.0, ranked.get(0).earlyDropsPerSecond(), 1e-9);
        assertEquals(2, ranked.get(1).rank());
    }

    @Test
    void droppersSortByRefusedConnectionsPerSecond() {
        assertEquals(List.of("many", "few"), order(dropping("few", 99_000, 1), dropping("many", 50_000, 10)));
    }

    @Test
    void growingHostsComeBeforeFlatOnesSoonestFirst() {
        // fast: 67,700 now, +300/min -> ~1.8h; slow: 71,800 now, +200/min -> ~2.4h; flat at 90%: no ETA.
        List<HostRank> ranked = ranker.rank(List.of(Series.flat("flat90", 90_000, MAX),
                growing("slow", 60_000, 200), growing("fast", 50_000, 300)), Series.NOW);
        assertEquals(List.of("fast", "slow", "flat90"), ranked.stream().map(HostRank::host).toList());
        assertEquals((MAX - 67_700) / 5.0, ranked.get(0).etaSeconds().getAsDouble(), 60);
        assertTrue(ranked.get(2).etaSeconds().isEmpty());
    }

    @Test
    void aTrendFurtherThanThreeWindowsAheadIsWarnedButOrdersByFill() {
        // An hour of +150/min from 60,000: full in ~3.5h, more than 3 x the hour of data. A daily
        // rising edge looks just like this, so it does not outrank a host at 90% ...
        List<HostRank> ranked = ranker.rank(List.of(growing("edge", 60_000, 150), Series.flat("flat90", 90_000, MAX)),
                Series.NOW);
        assertEquals(List.of("flat90", "edge"), ranked.stream().map(HostRank::host).toList());
        // ... but its ETA is reported and warned on (within 6h).
        HostRank edge = ranked.get(1);
        assertEquals((MAX - 68_850) / 2.5, edge.etaSeconds().getAsDouble(), 120);
        assertEquals(Status.WARN, edge.status());
    }

    @Test
    void theRestSortByFill() {
        assertEquals(List.of("b", "c", "a"),
                order(Series.flat("a", 10_000, MAX), Series.flat("b", 70_000, MAX), Series.flat("c", 40_000, MAX)));
    }

    @Test
    void unlimitedAndNoConntrackSortLast() {
        HostHistory unlimited = withStatus(Series.flat("unlimited", 500_000, MAX), ConntrackModule.LOADED, 0);
        HostHistory none = withStatus(Series.flat("none", 0, MAX), ConntrackModule.NOT_LOADED, 0);
        List<HostRank> ranked = ranker.rank(List.of(unlimited, none, Series.flat("quiet", 1_000, MAX)), Series.NOW);
        assertEquals(List.of("quiet", "unlimited", "none"), ranked.stream().map(HostRank::host).toList());
        assertEquals(Status.UNLIMITED, ranked.get(1).status());
        assertEquals(Status.NO_CONNTRACK, ranked.get(2).status());
        assertTrue(ranked.get(1).fill().isEmpty());
        assertTrue(ranked.get(2).fill().isEmpty());
        assertTrue(ranked.get(1).etaSeconds().isEmpty());
    }

    @Test
    void staleHostIsFlaggedAndKeepsItsPlace() {
        HostHistory h = Series.flat("silent", 95_000, MAX);
        HostHistory silent = new HostHistory(h.host(), h.labels(), h.conntrack(), h.count(), h.max(), h.buckets(),
                Series.NOW.minus(Duration.ofMinutes(4)), Duration.ofMinutes(1), h.points(), h.counters());
        List<HostRank> ranked = ranker.rank(List.of(Series.flat("busy", 60_000, MAX), silent), Series.NOW);
        assertEquals("silent", ranked.get(0).host());
        assertEquals(Status.STALE, ranked.get(0).status());
    }

    @Test
    void anImportedHostIsNeverStaleItKeepsTheStatusItsDataEarns() {
        HostHistory h = Series.flat("imported", 95_000, MAX);
        HostHistory old = new HostHistory(h.host(), h.labels(), h.conntrack(), h.count(), h.max(), h.buckets(),
                Series.NOW.minus(Duration.ofHours(2)), Duration.ofMinutes(1), h.points(), h.counters(), true);
        HostRank r = ranker.assess(old, Series.NOW);
        assertEquals(Status.CRIT, r.status());
        assertEquals(Series.NOW.minus(Duration.ofHours(2)), r.lastSeen(), "shows the time of its newest data");
    }

    @Test
    void threeMissedIntervalsAreNotYetStale() {
        HostHistory h = Series.flat("late", 10_000, MAX);
        HostHistory late = new HostHistory(h.host(), h.labels(), h.conntrack(), h.count(), h.max(), h.buckets(),
                Series.NOW.minus(Duration.ofMinutes(3)), Duration.ofMinutes(1), h.points(), h.counters());
        assertEquals(Status.OK, ranker.assess(late, Series.NOW).status());
    }

    @Test
    void fillAndEtaThresholdsSetWarnAndCrit() {
        assertEquals(Status.OK, ranker.assess(Series.flat("a", 50_000, MAX), Series.NOW).status());
        assertEquals(Status.WARN, ranker.assess(Series.flat("b", 80_000, MAX), Series.NOW).status());
        assertEquals(Status.CRIT, ranker.assess(Series.flat("c", 92_000, MAX), Series.NOW).status());
        // 88.5% (below crit fill) but +1,500/min: full in 8 minutes.
        assertEquals(Status.CRIT, ranker.assess(growing("d", 0, 1500), Series.NOW).status());
        // 30,000 now, +500/min -> 2.3h: warn, not crit.
        HostRank warn = ranker.assess(growing("e", 500, 500), Series.NOW);
        assertEquals(Status.WARN, warn.status());
    }

    @Test
    void thresholdsAreConfigurable() {
        Ranker strict = new Ranker(RankerConfig.defaults().withFills(0.5, 0.6));
        assertEquals(Status.CRIT, strict.assess(Series.flat("x", 65_000, MAX), Series.NOW).status());
    }

    @Test
    void counterWrapIsNotAReset() {
        // early_drop wraps past 2^32 mid-window: still 10 drops a minute, not billions nor zero.
        long start = (1L << 32) - 300;
        HostHistory h = Series.host("wrap", MAX, Series.counts(60, MAX, i -> 99_000),
                Series.counters(60, "early_drop", i -> (start + 10L * i) % (1L << 32)));
        HostRank r = ranker.assess(h, Series.NOW);
        assertEquals(10 / 60.0, r.earlyDropsPerSecond(), 1e-9);
        assertEquals(Status.DROPPING, r.status());
    }

    @Test
    void rebootWithQuietCountersIsNotDropping() {
        List<CounterPoint> counters = new ArrayList<>();
        for (CounterPoint p : Series.counters(60, "drop", i -> 0)) {
            boolean before = counters.size() < 30;
            counters.add(new CounterPoint(p.ts(), before ? "boot-a" : "boot-b", Map.of("drop", before ? 5_000_000L : 0L)));
        }
        HostRank r = ranker.assess(Series.host("rebooted", MAX, Series.counts(60, MAX, i -> 20_000), counters),
                Series.NOW);
        assertEquals(0, r.dropsPerSecond());
        assertEquals(Status.OK, r.status());
    }

    @Test
    void etaBeyondTheTrustedHorizonDoesNotReorder() {
        // +10/min from 40%: ETA ~100h, far beyond 4 x 1h of data: reported absent, ranked by fill.
        HostRank r = ranker.assess(growing("creep", 40_000, 10), Series.NOW);
        assertTrue(r.etaSeconds().isEmpty());
        assertEquals(List.of("full", "creep"), order(growing("creep", 40_000, 10), Series.flat("full", 70_000, MAX)));
    }

    @Test
    void rejectsInconsistentThresholds() {
        assertFalse(isValid(0.9, 0.75));
        assertTrue(isValid(0.75, 0.9));
    }

    private static boolean isValid(double warn, double crit) {
        try {
            RankerConfig.defaults().withFills(warn, crit);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
