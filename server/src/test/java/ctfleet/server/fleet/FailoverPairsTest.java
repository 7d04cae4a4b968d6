package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Partners found in the fleet's history, and what the next failover would do to each. */
class FailoverPairsTest {
    private static final int MINUTES = 2 * 24 * 60;
    private static final Duration DAY = Duration.ofHours(24);
    private static final long BIG = 262_144;
    private static final long SMALL = 131_072;

    /** Minutes ago of a failover from "a" to "b" and its length. */
    private record Failover(int ago, int minutes) {
        boolean on(int i) {
            return i >= MINUTES - 1 - ago && i < MINUTES - 1 - ago + minutes;
        }
    }

    /** Two days a minute apart, entries from {@code demand} (minute index) with noise, clamped at max. */
    private static HostHistory host(String id, long max, IntToDoubleFunction demand, long seed) {
        Random r = new Random(seed);
        List<CountPoint> points = Series.counts(MINUTES, max,
                i -> Math.min(max, Math.max(0, Math.round(demand.applyAsDouble(i) + 0.003 * max * r.nextGaussian()))));
        return Series.host(id, max, points, Series.counters(MINUTES, "drop", i -> 0));
    }

    /** "a" (60 % of a big table) and "b" (40 % of one half its size); the failover moves a's entries to b. */
    private static List<HostHistory> pair(Failover f) {
        double a = 0.6 * BIG;
        double b = 0.4 * SMALL;
        return new ArrayList<>(List.of(
                host("a", BIG, i -> f.on(i) ? 0.02 * a : a, 1),
                host("b", SMALL, i -> f.on(i) ? b + 0.98 * a : b, 2)));
    }

    @Test
    void theSurvivorThatCannotHoldBothIsAtRiskAndTheOtherIsNot() {
        List<HostHistory> fleet = pair(new Failover(20 * 60, 180));
        // A drain (no one takes its load) and a rise elsewhere at another time name no partner.
        fleet.add(host("drained", SMALL, i -> i > MINUTES - 1 - 30 * 60 && i < MINUTES - 1 - 28 * 60 ? 1_000 : 70_000, 3));
        fleet.add(host("grew", SMALL, i -> i > MINUTES - 1 - 10 * 60 ? 90_000 : 40_000, 4));
        fleet.add(host("flat", SMALL, i -> 100_000, 5));

        Map<String, FailoverPairs.Risk> risks = FailoverPairs.find(fleet, Series.NOW, DAY);

        FailoverPairs.Risk b = risks.get("b");
        assertNotNull(b, risks.toString());
        assertEquals("a", b.partner());
        // One failover in two days watched, plus the day with none a pair found by its failover is
        // given: a third a day, half of it a's way, and b overflows all day.
        assertEquals(1.0, b.overflowShare(), 1e-9);
        assertEquals(0.5 * -Math.expm1(-1.0 / 3), b.chance(), 1e-9);
        assertEquals(Series.NOW.minus(Duration.ofHours(20)).getEpochSecond(), b.lastFailover().getEpochSecond(),
                20 * 60);
        // b failing over to a leaves a at 60 % + 20 %: no risk.
        assertFalse(risks.containsKey("a"), risks.toString());
        assertFalse(risks.containsKey("drained"), risks.toString());
        assertFalse(risks.containsKey("grew"), risks.toString());
        assertFalse(risks.containsKey("flat"), risks.toString());
    }

    @Test
    void tailsKeptAsArraysFindWhatPointListsFind() {
        // The server hands the search its in-memory tails as arrays (CountSeries), read without a
        // point object each; the same samples as a list of points must give the same risks, the
        // partner's clamped minutes included.
        List<HostHistory> lists = pair(new Failover(20 * 60, 180));
        List<HostHistory> arrays = lists.stream().map(FailoverPairsTest::asSeries).toList();
        assertTrue(arrays.get(0).points() instanceof CountSeries);
        Map<String, FailoverPairs.Risk> expected = FailoverPairs.find(lists, Series.NOW, DAY);
        assertTrue(expected.containsKey("b"), expected.toString());
        assertEquals(expected, FailoverPairs.find(arrays, Series.NOW, DAY));
    }

    private static HostHistory asSeries(HostHistory h) {
        List<CountPoint> p = h.points();
        int n = p.size();
        long[] ts = new long[n];
        long[] count = new long[n];
        long[] max = new long[n];
        long[] peak = new long[n];
        int[] samples = new int[n];
        int[] boot = new int[n];
        for (int i = 0; i < n; i++) {
            ts[i] = p.get(i).ts().toEpochMilli();
            count[i] = p.get(i).count();
            max[i] = p.get(i).max();
            peak[i] = p.get(i).peak();
            samples[i] = p.get(i).samples();
            boot[i] = p.get(i).boot();
        }
        return new HostHistory(h.host(), h.labels(), h.conntrack(), h.count(), h.max(), h.buckets(), h.lastSeen(),
                h.interval(), new CountSeries(ts, count, max, peak, samples, boot, n), h.counters());
    }

    @Test
    void aDropThatTwoHostsTakeUpNamesNoPartner() {
        // The load spread over two (an anycast group, a fleet-wide event): neither is "the" partner.
        double a = 0.6 * BIG;
        Failover f = new Failover(20 * 60, 180);
        List<HostHistory> fleet = List.of(
                host("a", BIG, i -> f.on(i) ? 0.02 * a : a, 1),
                host("b", SMALL, i -> f.on(i) ? 0.4 * SMALL + 0.49 * a : 0.4 * SMALL, 2),
                host("c", SMALL, i -> f.on(i) ? 0.4 * SMALL + 0.49 * a : 0.4 * SMALL, 3));
        assertTrue(FailoverPairs.find(fleet, Series.NOW, DAY).isEmpty());
    }

    @Test
    void aFallAndARiseThatDoNotComeBackTogetherNameNoPartner() {
        // A spike ends (from 60 % down to 5 %) as another host's load ramps up by as many entries, to
        // max, and stays: the same bin, the same size, but nothing moves back.
        int at = MINUTES - 1 - 20 * 60;
        List<HostHistory> fleet = List.of(
                host("ended", SMALL, i -> i < at ? 0.6 * SMALL : 0.05 * SMALL, 1),
                host("ramped", SMALL, i -> i < at ? 0.45 * SMALL : 1.0 * SMALL, 2));
        assertTrue(FailoverPairs.find(fleet, Series.NOW, DAY).isEmpty());
        // The same two, with the load moving back three hours later: a pair.
        List<HostHistory> pair = List.of(
                host("ended", SMALL, i -> i >= at && i < at + 180 ? 0.05 * SMALL : 0.6 * SMALL, 1),
                host("ramped", SMALL, i -> i >= at && i < at + 180 ? 1.0 * SMALL : 0.45 * SMALL, 2));
        assertEquals("ended", FailoverPairs.find(pair, Series.NOW, DAY).get("ramped").partner());
    }

    @Test
    void aCapacityPlanSeesBothPartnersEvenWhereOneHoldsBothWithRoomToSpare() {
        // a holds b's 40 % of a half-size table easily, so the ranking sees no risk for a; a plan
        // sizing either for both needs each to know the other.
        List<HostHistory> fleet = pair(new Failover(20 * 60, 180));
        fleet.add(host("flat", SMALL, i -> 100_000, 5));
        Map<String, FailoverPairs.Partner> partners = FailoverPairs.partners(fleet, Series.NOW);
        assertEquals(2, partners.size(), partners.toString());
        assertEquals("b", partners.get("a").host());
        assertEquals("a", partners.get("b").host());
        assertEquals(1, partners.get("a").failovers());
        assertEquals(FailoverPairs.find(fleet, Series.NOW, DAY).get("b").lastFailover(),
                partners.get("a").lastFailover().orElseThrow());
        assertTrue(partners.get("a").declared().isEmpty());
        // The host view takes them from the search its line made.
        assertEquals(partners, new Ranker(RankerConfig.defaults()).assessInFleet(fleet.get(0), Series.NOW, fleet)
                .partners());
    }

    @Test
    void sparseSamplesEitherSideOfAFailoverDoNotMakeAnOverflow() {
        // Agents every 10 minutes, a's at :00 and b's at :07; a's 45 % moves onto b's 45 % at :05,
        // 20 hours ago, for three hours. Together 90 %: b never overflows. But in the bins of the
        // moves a's sample is from before and b's from after: 45 % + 90 %.
        int samples = 2 * 144;
        int from = samples - 20 * 6;
        int to = from + 18;
        List<CountPoint> a = new ArrayList<>();
        List<CountPoint> b = new ArrayList<>();
        Random r = new Random(9);
        for (int i = 0; i < samples; i++) {
            java.time.Instant t = Series.NOW.minusSeconds(600L * (samples - i));
            double noise = 1 + 0.003 * r.nextGaussian();
            a.add(new CountPoint(t, Math.round((i >= from + 1 && i < to + 1 ? 0.01 : 0.45) * SMALL * noise), SMALL));
            b.add(new CountPoint(t.plusSeconds(420), Math.round((i >= from && i < to ? 0.90 : 0.45) * SMALL * noise),
                    SMALL));
        }
        List<HostHistory> fleet = List.of(Series.host("a", SMALL, a, List.of()), Series.host("b", SMALL, b, List.of()));
        assertEquals("a", FailoverPairs.partners(fleet, Series.NOW).get("b").host(), "the pair is found");
        assertTrue(FailoverPairs.find(fleet, Series.NOW, DAY).isEmpty(), FailoverPairs.find(fleet, Series.NOW, DAY)
                .toString());
    }

    @Test
    void aPairFailedOverNowIsLeftToTheSurvivorsOwnForecast() {
        // a's load has been on b for the last 40 minutes: b's count already holds both.
        assertTrue(FailoverPairs.find(pair(new Failover(40, 40)), Series.NOW, DAY).isEmpty());
    }

    @Test
    void theRankingPutsTheSurvivorAheadOfAFlatHostAndSaysWhy() {
        List<HostHistory> fleet = pair(new Failover(20 * 60, 180));
        fleet.add(host("flat", SMALL, i -> 0.85 * SMALL, 5));
        Ranker ranker = new Ranker(RankerConfig.defaults());
        List<HostRank> ranked = ranker.rank(fleet, Series.NOW);
        assertEquals("b", ranked.get(0).host(), ranked.toString());
        HostRank b = ranked.get(0);
        assertEquals(Status.WARN, b.status());
        assertTrue(b.reason().contains("fills if a fails over to it (100 % of the last day; it did at 16:00)"),
                b.reason());
        // The host view's line is the ranking's when it is given the fleet, and the host's own alone.
        assertEquals(b.pFull(), ranker.assess(fleet.get(1), Series.NOW, fleet).pFull(), 1e-12);
        double alone = ranker.assess(fleet.get(1), Series.NOW).pFull();
        assertTrue(alone < b.pFull() - 0.1, alone + " alone, " + b.pFull() + " with its partner");
        // Ranked within a part of the fleet, the partner outside it still counts.
        assertEquals(b.pFull(), ranker.rank(List.of(fleet.get(1)), Series.NOW, fleet).get(0).pFull(), 1e-12);
    }

    @Test
    void eachOfAPairSaysWhereTheLoadLastMovedWhenThereIsNoRiskToAdd() {
        // b's overflow is a risk phrase of its own; a, which holds b's load with room, is told only
        // what its history holds: a step down 20 hours ago was its load moving to b.
        List<HostHistory> fleet = pair(new Failover(20 * 60, 180));
        fleet.add(host("flat", SMALL, i -> 100_000, 5));
        Map<String, HostRank> ranked = ranked(fleet);
        assertTrue(ranked.get("a").reason().endsWith("; failed over to b 16:00–19:00"), ranked.get("a").reason());
        assertTrue(ranked.get("b").reason().contains("fills if a fails over to it"), ranked.get("b").reason());
        assertFalse(ranked.get("b").reason().contains("failed over"), ranked.get("b").reason());
        assertFalse(ranked.get("flat").reason().contains("fail"), ranked.get("flat").reason());
    }

    @Test
    void aPairFailedOverNowSaysWhoHoldsTheLoadSinceWhen() {
        // Back 17 hours ago, and a fell again two hours ago: b holds both now.
        Failover before = new Failover(20 * 60, 180);
        Failover now = new Failover(120, 120);
        double a = 0.6 * BIG;
        double b = 0.4 * SMALL;
        List<HostHistory> fleet = moving(a, b, before, now);
        Map<String, HostRank> ranked = assertUnderWay(fleet, "10:00");
        // The host view's line reads the same.
        assertEquals(ranked.get("b").reason(),
                new Ranker(RankerConfig.defaults()).assess(fleet.get(1), Series.NOW, fleet).reason());

        // The same fall, but a third host took it this time (a change of routing): b holds nothing
        // of a's now, and says what it did last.
        List<HostHistory> moved = List.of(
                host("a", BIG, i -> before.on(i) || now.on(i) ? 0.02 * a : a, 1),
                host("b", BIG, i -> before.on(i) ? b + 0.98 * a : b, 2),
                host("c", BIG, i -> now.on(i) ? 0.3 * BIG + 0.98 * a : 0.3 * BIG, 3));
        Map<String, HostRank> other = ranked(moved);
        assertTrue(other.get("b").reason().endsWith("; a failed over to it 16:00–19:00"), other.get("b").reason());
        assertTrue(other.get("a").reason().endsWith("; failed over to b 16:00–19:00"), other.get("a").reason());
    }

    @Test
    void aFailoverOfTheLastMinutesIsToldBeforeItsStepCanBeMeasured() {
        // A known pair (failed over and back 20 hours ago); a fell again 15 minutes ago. The step
        // statistic needs half an hour after a fall, but this is when an operator looks.
        Failover before = new Failover(20 * 60, 180);
        Failover now = new Failover(15, 16);
        double a = 0.6 * BIG;
        double b = 0.3 * BIG;
        assertUnderWay(moving(a, b, before, now), "11:40");

        // A survivor that cannot hold both is told what fills it now, in place of what would.
        List<HostHistory> small = List.of(
                host("a", BIG, i -> before.on(i) || now.on(i) ? 0.02 * a : a, 1),
                host("b", SMALL, i -> before.on(i) || now.on(i) ? 0.4 * SMALL + 0.98 * a : 0.4 * SMALL, 2));
        Map<String, HostRank> full = ranked(small);
        assertTrue(full.get("b").reason().endsWith("; holding a's load since 11:40 (failover)"),
                full.get("b").reason());
        assertFalse(full.get("b").reason().contains("fills if"), full.get("b").reason());
        assertEquals(1, full.get("b").pFull(), 1e-12);

        // The same fall with nobody taking it (a drain, an outage): the pair's last failover is told.
        List<HostHistory> drained = List.of(
                host("a", BIG, i -> before.on(i) || now.on(i) ? 0.02 * a : a, 1),
                host("b", BIG, i -> before.on(i) ? b + 0.98 * a : b, 2));
        Map<String, HostRank> quiet = ranked(drained);
        assertTrue(quiet.get("b").reason().endsWith("; a failed over to it 16:00–19:00"), quiet.get("b").reason());
        assertTrue(quiet.get("a").reason().endsWith("; failed over to b 16:00–19:00"), quiet.get("a").reason());

        // One low sample is not a fall (the bin's average stays above the middle).
        Failover blip = new Failover(4, 1);
        ranked(moving(a, b, before, blip)).values()
                .forEach(r -> assertFalse(r.reason().contains("(failover)"), r.reason()));
    }

    @Test
    void aGatewayThatDiesTakesItsAgentWithItAndItsPartnerIsToldWhoseLoadItHolds() {
        // A known pair; 25 minutes ago a stopped reporting (a kernel panic, a power cut) and its load
        // moved to b. No fall is ever seen in a's series: it just ends.
        Failover before = new Failover(20 * 60, 180);
        Failover dead = new Failover(25, 26);
        double a = 0.6 * BIG;
        double b = 0.3 * BIG;
        List<HostHistory> fleet = moving(a, b, before, dead);
        Map<String, HostRank> ranked = ranked(silent(fleet, 25));
        assertTrue(ranked.get("b").reason().endsWith("; holding a's load since 11:40 (a went silent)"),
                ranked.get("b").reason());
        assertFalse(ranked.get("b").reason().contains("rising"), "a's load landing is a step: "
                + ranked.get("b").reason());
        assertTrue(ranked.get("a").reason().endsWith("; its load on b since 11:40 (went silent)"),
                ranked.get("a").reason());
        assertEquals(Status.STALE, ranked.get("a").status());

        // Silent with nobody taking its load (an agent stopped, the gateway still forwarding): b says
        // only the pair's last failover.
        Map<String, HostRank> quiet = ranked(silent(moving(a, b, before), 25));
        assertTrue(quiet.get("b").reason().endsWith("; a failed over to it 16:00–19:00"), quiet.get("b").reason());
    }

    /** The fleet with a's samples of the last {@code minutes} gone: its agent stopped then. */
    private static List<HostHistory> silent(List<HostHistory> fleet, int minutes) {
        java.time.Instant cut = Series.NOW.minus(Duration.ofMinutes(minutes));
        return fleet.stream().map(h -> {
            if (!h.host().equals("a")) {
                return h;
            }
            List<CountPoint> kept = h.points().stream().filter(p -> p.ts().isBefore(cut)).toList();
            CountPoint last = kept.get(kept.size() - 1);
            return new HostHistory(h.host(), h.labels(), h.conntrack(), last.count(), h.max(), h.buckets(), last.ts(),
                    h.interval(), kept, h.counters().stream().filter(c -> c.ts().isBefore(cut)).toList());
        }).toList();
    }

    @Test
    void theLoadLandingOnTheSurvivorIsAStepNotASurge() {
        // Agents every 10 minutes (as in the demo). A known pair: a's 50 % moved onto b's 30 % and back
        // 20 hours ago; 25 minutes ago it moved again. b holds 80 % of a table of the same size, with
        // room: three points after a jump are too few for the change search, and the last hour's
        // stretch through the jump is a steep line. It is the partner's load arriving, not a trend.
        int samples = 2 * 144;
        int from = samples - 20 * 6;
        int to = from + 18;
        int again = samples - 3;
        List<CountPoint> a = new ArrayList<>();
        List<CountPoint> b = new ArrayList<>();
        Random r = new Random(11);
        for (int i = 0; i < samples; i++) {
            java.time.Instant t = Series.NOW.minusSeconds(600L * (samples - 1 - i) + 60);
            boolean moved = (i >= from && i < to) || i >= again;
            double noise = 1 + 0.003 * r.nextGaussian();
            a.add(new CountPoint(t, Math.round((moved ? 0.01 : 0.50) * BIG * noise), BIG));
            b.add(new CountPoint(t, Math.round((moved ? 0.79 : 0.30) * BIG * noise), BIG));
        }
        List<HostHistory> fleet = List.of(Series.host("a", BIG, a, List.of()), Series.host("b", BIG, b, List.of()));
        Ranker ranker = new Ranker(RankerConfig.defaults());
        HostRank survivor = byHost(ranker.rank(fleet, Series.NOW)).get("b");
        assertTrue(survivor.reason().endsWith("; holding a's load since 11:30 (failover)"), survivor.reason());
        assertFalse(survivor.reason().contains("rising"), survivor.reason());
        // Alone, without the fleet to say whose load it is, the same series reads as a surge.
        FillForecast alone = FillForecaster.forecast(fleet.get(1).points(), Series.NOW, BIG, DAY);
        assertTrue(alone.reason().contains("rising"), alone.reason());
        assertTrue(survivor.pFull() < alone.pFull() - 0.2, survivor.pFull() + " with its partner, " + alone.pFull()
                + " alone");
    }

    @Test
    void aLandingSeenInTheNewestSampleOnlyIsAlreadyTheLevelEachHostIsAt() {
        // As in the demo: agents every 10 minutes, a known pair (a's 48 % went to b and back 16
        // hours ago), and a's load moved onto b again in the newest sample. One point after the step
        // is too few for the change search, and read inside the regime before it, the landing is a
        // burst ("flat since" at 33 % for a host at 81 %). The fleet saw the fall: each reason
        // starts from the level its host is at.
        int samples = 2 * 144;
        int from = samples - 16 * 6;
        int again = samples - 1;
        Random r = new Random(17);
        IntPredicate moved = i -> (i >= from && i < from + 12) || i >= again;
        Map<String, HostRank> ranked = ranked(tenMinutePair(samples, r, 0.003, i -> moved.test(i) ? 0.01 : 0.48,
                i -> moved.test(i) ? 0.81 : 0.33));
        assertEquals("stepped up 33 → 81 % at 11:59, flat since; holding a's load since 11:50 (failover)",
                ranked.get("b").reason());
        assertEquals("stepped down 48 → 1 % at 11:59, flat since; its load on b since 11:50 (failover)",
                ranked.get("a").reason());
        // Its chance is that of a level too new for a slope (the growth prior's, 1.4 %), not that of
        // a host whose bursts reach 81 % (7 %).
        assertTrue(ranked.get("b").pFull() < 0.02, "p_full " + ranked.get("b").pFull());

        // The demo's pair the other way round, as it ran: a day of history; in the morning b's load
        // went to a and came back 14 hours ago; now a's lands on b. b's two steps up (its own load
        // returning, then a's landing) are no staircase, which read them as a climb of 32 points in
        // 14 hours ("2 steps up since 05:54", p_full 0.49).
        int day = 141;
        IntPredicate morning = i -> i >= 46 && i < 56;
        IntPredicate now = i -> i == day - 1;
        Map<String, HostRank> back = ranked(tenMinutePair(day, r, 0.003,
                i -> morning.test(i) ? 0.81 : now.test(i) ? 0.01 : 0.33,
                i -> morning.test(i) ? 0.01 : now.test(i) ? 0.81 : 0.48));
        assertEquals("stepped up 48 → 81 % at 11:59, flat since; holding a's load since 11:50 (failover)",
                back.get("b").reason());
        assertTrue(back.get("b").pFull() < 0.02, "p_full " + back.get("b").pFull());
    }

    @Test
    void aFailoverThatIsOverIsThePairsStoryNotTheHostsOwnBursts() {
        // Agents every 10 minutes (as in the demo). a's 60 % moved onto b's 30 % for 50 minutes, 16
        // hours ago, and back. Together they peak at 89 %: no overflow, so no risk from the pair.
        // Read alone, b's series has a burst to 89 %, and bursts that high put a tail within reach
        // of max (the demo's pairs showed warn, p_full 0.2, "2 bursts above the trend, highest
        // 87 %"). The fleet knows those minutes were a's load.
        int samples = 2 * 144;
        int from = samples - 16 * 6;
        IntPredicate moved = i -> i >= from && i < from + 5;
        List<HostHistory> fleet = tenMinutePair(samples, new Random(19), 0.003, i -> moved.test(i) ? 0.01 : 0.60,
                i -> moved.test(i) ? 0.89 : 0.30);
        Map<String, HostRank> ranked = ranked(fleet);
        HostRank survivor = ranked.get("b");
        assertEquals("flat at 30 %; a failed over to it 20:00–20:50", survivor.reason());
        FillForecast alone = FillForecaster.forecast(fleet.get(1).points(), Series.NOW, BIG, DAY);
        assertTrue(alone.reason().contains("1 burst above the trend, highest 89 %"), alone.reason());
        assertTrue(survivor.pFull() < alone.pFull() / 10, survivor.pFull() + " with its partner, " + alone.pFull()
                + " alone");
        // Nor does a's own absence read as a level or a dip: a is flat at its 60 %.
        assertEquals("flat at 60 %; failed over to b 20:00–20:50", ranked.get("a").reason());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
    void aFailoverThatIsOverLeavesNoEdgeWhereverItFallsInTheBuckets(int minute) {
        // Agents every minute, read as the server reads them (10-minute buckets): a's 60 % was on b's
        // 30 % from 30 hours ago for three hours, the move a minute at a time against the buckets.
        // The bucket a move begins or ends in holds a few of its minutes: left next to the span left
        // out, its peak read as a burst (p_full 0.22, warn, on a host flat at 35 % in the server's
        // scenarios, at some minutes of the hour).
        Failover f = new Failover(30 * 60 + minute, 180);
        double a = 0.6 * BIG;
        double b = 0.3 * BIG;
        List<HostHistory> fleet = new ArrayList<>();
        for (HostHistory h : moving(a, b, f)) {
            List<CountPoint> buckets = CountBuckets.forForecast(h.points(), CountBuckets.MIN_CONTEXT);
            fleet.add(Series.host(h.host(), BIG, buckets, List.of()));
        }
        HostRank survivor = ranked(fleet).get("b");
        assertTrue(survivor.reason().startsWith("flat at 30 %; a failed over to it"), survivor.reason());
        assertTrue(survivor.pFull() < 0.01, survivor.pFull() + " " + survivor.reason());
    }

    @Test
    void aLoadThatCameBackIsNotASurge() {
        // As in the demo, the other way round: agents every 10 minutes, a's 53 % was on b from 100 to
        // 50 minutes ago and came back. a's newest hour rises 1 → 53 %: its own load returning.
        int samples = 2 * 144;
        int from = samples - 20 * 6;
        int gone = samples - 9;
        int back = samples - 4;
        IntPredicate moved = i -> (i >= from && i < from + 6) || (i >= gone && i < back);
        List<HostHistory> fleet = tenMinutePair(samples, new Random(13), 0.01, i -> moved.test(i) ? 0.01 : 0.53,
                i -> moved.test(i) ? 0.86 : 0.33);
        HostRank returned = ranked(fleet).get("a");
        // The failover, over, is left out (aFailoverThatIsOverIsThePairsStoryNotTheHostsOwnBursts):
        // a is at the level it had before it.
        assertEquals("flat at 53 %; failed over to b 10:30–11:20", returned.reason());
        assertFalse(returned.reason().contains("rising") || returned.reason().contains("growing"), returned.reason());
        FillForecast alone = FillForecaster.forecast(fleet.get(0).points(), Series.NOW, BIG, DAY);
        assertTrue(alone.reason().contains("growing"), "alone, the return reads as growth: " + alone.reason());
        assertTrue(returned.pFull() < alone.pFull() - 0.2, returned.pFull() + " with its partner, " + alone.pFull()
                + " alone");
    }

    @Test
    void aDeclaredPairFailedOverNowSaysSoThoughTheHistoryNeverSawItMoveBack() {
        // x's load moved to y two hours ago, the first time in the window: no pair is found, but the
        // agents' labels declare one. Without the labels the same hosts say nothing of each other.
        Failover now = new Failover(120, 120);
        double x = 0.5 * BIG;
        List<HostHistory> plain = List.of(
                host("x", BIG, i -> now.on(i) ? 0.02 * x : x, 1),
                host("y", BIG, i -> now.on(i) ? 0.3 * BIG + 0.98 * x : 0.3 * BIG, 2));
        Ranker ranker = new Ranker(RankerConfig.defaults());
        Map<String, HostRank> without = byHost(ranker.rank(plain, Series.NOW));
        assertFalse(without.get("y").reason().contains("x"), without.get("y").reason());
        Map<String, HostRank> with = byHost(ranker.rank(declared(plain), Series.NOW));
        assertTrue(with.get("y").reason().endsWith("; holding x's load since 10:00 (failover)"), with.get("y").reason());
        assertTrue(with.get("x").reason().endsWith("; its load on y since 10:00 (failover)"), with.get("x").reason());
        // The phrase is all a declaration adds to the ranking: p_full comes from failovers seen.
        assertEquals(without.get("y").pFull(), with.get("y").pFull(), 1e-12);
        // A declared pair at rest says nothing of the other.
        List<HostHistory> rest = declared(List.of(host("x", BIG, i -> x, 1), host("y", BIG, i -> 0.3 * BIG, 2)));
        ranker.rank(rest, Series.NOW).forEach(r -> assertFalse(r.reason().contains("fail"), r.reason()));
    }

    @Test
    void aDeclarationWinsOverTheRiskOfAPartnerFoundInTheHistory() {
        // The history pairs a with b, and b overflows if a fails over to it; but the operator declares
        // a's partner to be c. Capacity plans a with c; the ranking must not name b either.
        List<HostHistory> fleet = pair(new Failover(20 * 60, 180));
        fleet.add(host("c", BIG, i -> 0.2 * BIG, 3));
        assertEquals("a", FailoverPairs.find(fleet, Series.NOW, DAY).get("b").partner(), "found, undeclared");
        List<HostHistory> declared = fleet.stream().map(h -> h.host().equals("b") ? h : new HostHistory(h.host(),
                Map.of(DeclaredPairs.LABEL, "edge-2"), h.conntrack(), h.count(), h.max(), h.buckets(), h.lastSeen(),
                h.interval(), h.points(), h.counters())).toList();
        FailoverPairs.Analysis pairs = FailoverPairs.analyse(declared, Series.NOW, DAY);
        assertTrue(pairs.risks().isEmpty(), pairs.risks().toString());
        assertEquals("c", pairs.partners().get("a").host());
        assertFalse(pairs.partners().containsKey("b"), pairs.partners().toString());
        Map<String, HostRank> ranked = ranked(declared);
        assertFalse(ranked.get("b").reason().contains("fills if a"), ranked.get("b").reason());
        assertTrue(ranked.get("b").pFull() < ranked(fleet)
                .get("b").pFull() - 0.1, "the found partner's risk is gone with it");
    }

    @Test
    void aFleetSearchedOnAllCoresFindsWhatEachPairAloneFinds() {
        // Eight pairs failing over hours apart among flat hosts, past Ranker.PARALLEL_FROM in all: the
        // search then runs on the cores, and must find each pair as a search of the pair alone (one
        // thread) does, with the same risk, date and count, and nothing among the flat hosts.
        List<HostHistory> fleet = new ArrayList<>();
        Map<String, FailoverPairs.Risk> alone = new java.util.HashMap<>();
        Map<String, FailoverPairs.Partner> partnersAlone = new java.util.HashMap<>();
        for (int p = 0; p < 8; p++) {
            Failover f = new Failover((4 + 5 * p) * 60, 120);
            double a = (0.4 + 0.05 * p) * BIG;
            double b = 0.4 * SMALL;
            List<HostHistory> pair = List.of(
                    host("a" + p, BIG, i -> f.on(i) ? 0.02 * a : a, 2L * p),
                    host("b" + p, SMALL, i -> f.on(i) ? b + 0.98 * a : b, 2L * p + 1));
            fleet.addAll(pair);
            alone.putAll(FailoverPairs.find(pair, Series.NOW, DAY));
            partnersAlone.putAll(FailoverPairs.partners(pair, Series.NOW));
        }
        for (int q = 0; fleet.size() < Ranker.PARALLEL_FROM + 8; q++) {
            double level = (0.2 + 0.01 * q) * SMALL;
            fleet.add(host("flat" + q, SMALL, i -> level, 100L + q));
        }
        assertEquals(16, partnersAlone.size(), partnersAlone.toString());
        assertEquals(8, alone.size(), alone.toString());
        assertEquals(alone, FailoverPairs.find(fleet, Series.NOW, DAY));
        assertEquals(partnersAlone, FailoverPairs.partners(fleet, Series.NOW));
    }

    /**
     * a and b (tables of {@link #BIG}) sampled every 10 minutes, as the demo's agents do, ending a
     * minute before now: fills {@code a(i)} and {@code b(i)} with a relative noise, a's drawn first.
     */
    private static List<HostHistory> tenMinutePair(int samples, Random r, double noise, IntToDoubleFunction a,
            IntToDoubleFunction b) {
        List<CountPoint> as = new ArrayList<>();
        List<CountPoint> bs = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            java.time.Instant t = Series.NOW.minusSeconds(600L * (samples - 1 - i) + 60);
            as.add(new CountPoint(t, Math.round(a.applyAsDouble(i) * BIG * (1 + noise * r.nextGaussian())), BIG));
            bs.add(new CountPoint(t, Math.round(b.applyAsDouble(i) * BIG * (1 + noise * r.nextGaussian())), BIG));
        }
        return List.of(Series.host("a", BIG, as, List.of()), Series.host("b", BIG, bs, List.of()));
    }

    /** a (a big table) and b (one as big), a's load moving onto b at each of the failovers. */
    private static List<HostHistory> moving(double a, double b, Failover... failovers) {
        IntPredicate on = i -> java.util.Arrays.stream(failovers).anyMatch(f -> f.on(i));
        return List.of(host("a", BIG, i -> on.test(i) ? 0.02 * a : a, 1),
                host("b", BIG, i -> on.test(i) ? b + 0.98 * a : b, 2));
    }

    /** The ranking's reasons say a's load is on b now, since {@code since}. */
    private static Map<String, HostRank> assertUnderWay(List<HostHistory> fleet, String since) {
        Map<String, HostRank> ranked = ranked(fleet);
        assertTrue(ranked.get("b").reason().endsWith("; holding a's load since " + since + " (failover)"),
                ranked.get("b").reason());
        assertTrue(ranked.get("a").reason().endsWith("; its load on b since " + since + " (failover)"),
                ranked.get("a").reason());
        return ranked;
    }

    /** The same hosts, their agents labelled as one HA pair. */
    private static List<HostHistory> declared(List<HostHistory> hosts) {
        return hosts.stream().map(h -> new HostHistory(h.host(), Map.of(DeclaredPairs.LABEL, "edge-1"), h.conntrack(),
                h.count(), h.max(), h.buckets(), h.lastSeen(), h.interval(), h.points(), h.counters())).toList();
    }

    /** The fleet ranked now with the default settings, by host. */
    private static Map<String, HostRank> ranked(List<HostHistory> fleet) {
        return byHost(new Ranker(RankerConfig.defaults()).rank(fleet, Series.NOW));
    }

    private static Map<String, HostRank> byHost(List<HostRank> ranked) {
        Map<String, HostRank> out = new java.util.HashMap<>();
        ranked.forEach(r -> out.put(r.host(), r));
        return out;
    }
}
