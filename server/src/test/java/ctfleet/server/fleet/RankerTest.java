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
    void growingHostsComeBeforeFlatOnesMostLikelyThenSoonestFirst() {
        // fast: 67,700 now, +300/min -> ~1.8h; slow: 71,800 now, +200/min -> ~2.4h; flat at 90%: no ETA.
        List<HostRank> ranked = ranker.rank(List.of(Series.flat("flat90", 90_000, MAX),
                growing("slow", 60_000, 200), growing("fast", 50_000, 300)), Series.NOW);
        assertEquals(List.of("fast", "slow", "flat90"), ranked.stream().map(HostRank::host).toList());
        assertEquals(1, ranked.get(0).pFull(), 1e-6);
        assertEquals((MAX - 67_700) / 5.0, ranked.get(0).etaSeconds().getAsDouble(), 300);
        assertTrue(ranked.get(2).etaSeconds().isEmpty());
        assertEquals(0, ranked.get(2).pFull(), 0.01);
    }

    @Test
    void statusComesFromTheSameProbabilitySoCritIsNeverBelowWarn() {
        List<HostHistory> fleet = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            fleet.add(growing("g" + i, 40_000 + 3_000L * i, 20 + 25L * i));
            fleet.add(Series.flat("f" + i, 60_000 + 3_000L * i, MAX));
        }
        List<HostRank> ranked = ranker.rank(fleet, Series.NOW);
        int previous = 3;
        double previousP = 2;
        for (HostRank r : ranked) {
            int severity = switch (r.status()) {
                case CRIT -> 2;
                case WARN -> 1;
                default -> 0;
            };
            assertTrue(severity <= previous, "a " + r.status() + " host below a weaker one: " + ranked);
            assertTrue(Math.round(r.pFull() * 100) <= Math.round(previousP * 100), "ordered by p_full: " + ranked);
            previous = severity;
            previousP = r.pFull();
            assertEquals(r.pFull() >= 0.5 - Outlook.SLACK ? Status.CRIT : r.pFull() >= 0.1 - Outlook.SLACK ? Status.WARN
                    : Status.OK, r.status());
        }
    }

    @Test
    void aStormMinutesFromMaxIsCritWithAnEtaWhicheverWayTheRoundingFalls() {
        // Two days flat at 45 %, then +1.5 % a minute, as the server reads it (10-minute buckets and
        // the last hour raw). Half the belief is the surge, and that half sums to 0.5 give or take
        // 1e-16: 20 minutes in, p_full 0.49999999999999994 made it warn with no ETA.
        long max = FillForecasterTest.MAX;
        for (int since = 20; since <= 36; since++) {
            int s = since;
            List<CountPoint> raw = FillForecasterTest.minutes(0.004, 36,
                    ago -> ago > s ? 0.45 : 0.45 + 0.015 * (s - ago));
            HostHistory h = new HostHistory("storm", java.util.Map.of(), ConntrackModule.LOADED,
                    raw.get(raw.size() - 1).count(), max, max, Series.NOW, Series.STEP,
                    CountBuckets.forForecast(raw, CountBuckets.MIN_CONTEXT), List.of(), false,
                    raw.subList(raw.size() - 60, raw.size()), false);
            HostRank r = ranker.assess(h, Series.NOW);
            assertEquals(Status.CRIT, r.status(), since + " min: " + r);
            assertTrue(r.etaSeconds().isPresent(), since + " min: " + r);
        }
    }

    @Test
    void aFlatHostAtNinetyFivePercentIsNotCritical() {
        // The old rules called it crit (fill >= 0.9) and ranked it above hosts that really fill.
        HostRank r = ranker.assess(Series.flat("steady", 95_000, MAX), Series.NOW);
        assertEquals(Status.OK, r.status());
        assertEquals(0, r.pFull(), 0.01);
        assertEquals("flat at 95 %", r.reason());
    }

    @Test
    void withinOneProbabilityTheSoonerEtaThenTheFullerHostComesFirst() {
        // Both certain to fill within the day: the one whose median ETA is sooner goes first.
        assertEquals(List.of("soon", "later"), order(growing("later", 60_000, 100), growing("soon", 60_000, 400)));
        // Neither fills: by fill.
        assertEquals(List.of("high", "low"), order(Series.flat("low", 50_000, MAX), Series.flat("high", 80_000, MAX)));
    }

    @Test
    void withoutAnEtaTheLikelierHostComesBeforeTheFullerOne() {
        // Both "0 %" with no median ETA: a host at 75 % whose count swings 4 points a minute is
        // likelier to touch max than a quiet one at 80 %, and the forecast says so in p_full's
        // last digits; fill decides only when those are equal too.
        long max = FillForecasterTest.MAX;
        HostHistory swinging = Series.host("swinging", max, FillForecasterTest.minutes(0.04, 5, ago -> 0.75),
                Series.counters(60, "drop", i -> 0));
        HostHistory quiet = Series.host("quiet", max, FillForecasterTest.minutes(0.002, 5, ago -> 0.80),
                Series.counters(60, "drop", i -> 0));
        List<HostRank> ranked = ranker.rank(List.of(quiet, swinging), Series.NOW);
        assertEquals(List.of("swinging", "quiet"), ranked.stream().map(HostRank::host).toList());
        for (HostRank r : ranked) {
            assertEquals(0, Math.round(r.pFull() * 100), r.host() + " " + r.pFull());
            assertTrue(r.etaSeconds().isEmpty(), r.host() + " " + r.etaSeconds());
        }
        assertTrue(ranked.get(0).pFull() > ranked.get(1).pFull());
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
        HostHistory h = growing("imported", 80_000, 300);
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
    void probabilitiesSetWarnAndCritAndFillRulesOnlyWhenAskedFor() {
        assertEquals(Status.OK, ranker.assess(Series.flat("a", 50_000, MAX), Series.NOW).status());
        assertEquals(Status.OK, ranker.assess(Series.flat("c", 92_000, MAX), Series.NOW).status());
        // +1,500/min from 88.5%: full in 8 minutes.
        assertEquals(Status.CRIT, ranker.assess(growing("d", 0, 1500), Series.NOW).status());
        // check's --warn/--crit: fill rules on top of the probability.
        Ranker check = new Ranker(RankerConfig.defaults().withFills(0.75, 0.9));
        assertEquals(Status.WARN, check.assess(Series.flat("b", 80_000, MAX), Series.NOW).status());
        assertEquals(Status.CRIT, check.assess(Series.flat("c", 92_000, MAX), Series.NOW).status());
        assertEquals(List.of("c", "b", "a"), check.rank(List.of(Series.flat("a", 50_000, MAX),
                Series.flat("b", 80_000, MAX), Series.flat("c", 92_000, MAX)), Series.NOW).stream()
                .map(HostRank::host).toList());
    }

    @Test
    void thresholdsAreConfigurable() {
        Ranker strict = new Ranker(RankerConfig.defaults().withFills(0.5, 0.6));
        assertEquals(Status.CRIT, strict.assess(Series.flat("x", 65_000, MAX), Series.NOW).status());
    }

    @Test
    void theHorizonIsTheProbabilitysHorizon() {
        // ~3.5 h from full: unlikely within an hour, certain within a day.
        HostHistory h = growing("edge", 60_000, 150);
        assertTrue(new Ranker(RankerConfig.defaults().withHorizon(Duration.ofHours(1))).assess(h, Series.NOW).pFull() < 0.1);
        assertTrue(ranker.assess(h, Series.NOW).pFull() > 0.9);
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
    void droppingMeansRefusingNowNotEarlierInTheWindow() {
        // Refused 3 a minute for the first half of the hour, nothing in the last 30 minutes.
        HostHistory h = Series.host("earlier", MAX, Series.counts(60, MAX, i -> 70_000),
                Series.counters(60, "early_drop", i -> 1000 + 3L * Math.min(i, 30)));
        HostRank r = ranker.assess(h, Series.NOW);
        assertTrue(r.status() != Status.DROPPING, "" + r);
        assertEquals(90 / 3540.0, r.earlyDropsPerSecond(), 1e-6, "the window's rate is still shown");
    }

    @Test
    void rejectsInconsistentThresholds() {
        assertFalse(isValid(0.9, 0.75));
        assertTrue(isValid(0.75, 0.9));
        assertTrue(isValid(Double.NaN, Double.NaN), "no fill rules: the default");
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
