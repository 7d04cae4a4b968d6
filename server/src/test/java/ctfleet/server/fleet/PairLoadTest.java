package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/** What a pair holds together, and the plan that sizes either gateway for both. */
class PairLoadTest {
    private static final long GIB = 1L << 30;
    private static final int MINUTES = 2 * 24 * 60;
    private static final long MAX = 131_072;
    private static final FailoverPairs.Partner B = new FailoverPairs.Partner("b", 1, Series.NOW.minusSeconds(20 * 3600));
    private static final FailoverPairs.Partner A = new FailoverPairs.Partner("a", 1, Series.NOW.minusSeconds(20 * 3600));
    private final CapacityPlanner planner = new CapacityPlanner(Duration.ofDays(30), 1.5);

    /** Minute samples over two days, count(i) for i = 0 (oldest); none where {@code reported} is false. */
    private static HostHistory minutes(String id, IntToLongFunction count, IntPredicate reported, long seed) {
        Random r = new Random(seed);
        List<CountPoint> points = new ArrayList<>();
        for (int i = 0; i < MINUTES; i++) {
            long c = Math.max(0, Math.min(MAX, count.applyAsLong(i) + Math.round(400 * r.nextGaussian())));
            if (reported.test(i)) {
                points.add(new CountPoint(Series.NOW.minus(Series.STEP.multipliedBy(MINUTES - 1 - i)), c, MAX));
            }
        }
        return Series.host(id, MAX, points, List.of());
    }

    /** Minutes 20 h to 17 h ago, starting mid-bin: a's load is on b. */
    private static boolean failedOver(int i) {
        int ago = MINUTES - 1 - i;
        return ago <= 20 * 60 - 4 && ago > 17 * 60 - 4;
    }

    private static HostHistory a(IntPredicate reported) {
        return minutes("a", i -> failedOver(i) ? 500 : 60_000, reported, 1);
    }

    private static HostHistory b() {
        return minutes("b", i -> failedOver(i) ? 110_000 : 50_000, i -> true, 2);
    }

    @Test
    void theLoadsAddUpAndTheBinOfAFailoverIsNotCountedTwice() {
        PairLoad p = PairLoad.of(a(i -> true), b(), B, Series.NOW).orElseThrow();
        // 110,000 together, whether both carry their own or one carries both. Summing the bins'
        // peaks would give 60,000 + 110,000 where the failover starts mid-bin.
        assertEquals(110_000 + 500, p.peak(), 2_500, p.toString());
        assertEquals("b", p.partner());
        assertEquals(0, p.growthPerDay(), "two days: no trend");
        assertEquals(p.peak(), p.projected(30));
    }

    @Test
    void sparseSamplesAtDifferentInstantsDoNotCountTheMovedLoadTwice() {
        // An agent every 10 minutes each, a's at :00 and b's at :07; a's load moves to b at :05 and
        // back two hours later, at :05. In each of those bins a's sample is from before the move
        // and b's from after it: 60,000 + 110,000.
        int samples = 2 * 144;
        int from = samples - 20 * 6;
        int to = from + 12;
        List<CountPoint> a = new ArrayList<>();
        List<CountPoint> b = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            Instant t = Series.NOW.minusSeconds(600L * (samples - 1 - i) + 600);
            a.add(new CountPoint(t, i >= from + 1 && i < to + 1 ? 500 : 60_000, MAX));
            b.add(new CountPoint(t.plusSeconds(420), i >= from && i < to ? 110_000 : 50_000, MAX));
        }
        PairLoad p = PairLoad.of(Series.host("a", MAX, a, List.of()), Series.host("b", MAX, b, List.of()), B,
                Series.NOW).orElseThrow();
        assertEquals(110_500, p.peak(), 1_000, p.toString());
    }

    @Test
    void binsWhereOneHostWasSilentSayNothingOfTheSum() {
        // A failed gateway is often down, not empty: its bins are skipped, not read as zero.
        PairLoad p = PairLoad.of(a(i -> !failedOver(i)), b(), B, Series.NOW).orElseThrow();
        assertEquals(110_000, p.peak(), 2_500, p.toString());
        assertTrue(PairLoad.of(a(i -> false), b(), B, Series.NOW).isEmpty(), "nothing in common, nothing to say");
    }

    @Test
    void thePairsDailyPeaksGrowTogether() {
        // 30 days hourly: a grows 1,000/day, b 500/day.
        List<CountPoint> a = Series.counts(720, Duration.ofHours(1), 1_048_576, i -> 200_000 + 1_000L * i / 24);
        List<CountPoint> b = Series.counts(720, Duration.ofHours(1), 1_048_576, i -> 100_000 + 500L * i / 24);
        PairLoad p = PairLoad.of(Series.host("a", 1_048_576, a, List.of()), Series.host("b", 1_048_576, b, List.of()),
                B, Series.NOW).orElseThrow();
        assertEquals(1_500, p.growthPerDay(), 30);
        // The newest hour counts up to the hour before it: one hour's growth less.
        assertEquals(300_000 + 1_500 * 30, p.peak(), 150);
        // From the daily-peak line at now, half a day past the newest day's middle.
        assertEquals(p.peak() + 1_500 * 10, p.projected(10), 1_000);
    }

    @Test
    void aHostThatCannotHoldItsPartnersLoadIsRaisedToHoldBoth() {
        HostHistory a = a(i -> true);
        HostHistory b = b();
        Map<String, PairLoad> pairs = PairLoad.of(List.of(a, b), Map.of("a", B, "b", A), Series.NOW);
        assertEquals(2, pairs.size(), pairs.toString());

        // Alone, a's 60,000 x 1.5 fits 131,072; with b's load, 110,500 x 1.5 needs 262,144.
        CapacityPlan alone = planner.plan(a, CapacityPlannerTest.memoryOnly(16 * GIB), Series.NOW);
        assertEquals(CapacityAction.KEEP, alone.action(), alone.note());
        assertTrue(alone.pair().isEmpty());
        FleetCapacity fleet = planner.planFleet(List.of(a, b), Map.of("a", CapacityPlannerTest.memoryOnly(16 * GIB),
                "b", CapacityPlannerTest.memoryOnly(16 * GIB)), Series.NOW, pairs);
        for (CapacityPlan p : fleet.hosts()) {
            assertEquals(CapacityAction.RAISE, p.action(), p.note());
            assertEquals(262_144, p.requiredMax(), p.note());
            assertEquals(262_144, p.recommendedMax(), p.note());
            assertTrue(p.pair().isPresent());
            // b's own peak, the failover's 110,000, needs as much: its note says the pair fits.
            assertTrue(p.note().contains(p.host().equals("a")
                    ? "sized to hold b's load too (its failover partner): together they peak at 11"
                            + "" : "that holds its failover partner a's load too (together they peak at 11"), p.note());
            assertTrue(p.evidence().stream().anyMatch(e -> e.startsWith("failover partner " + p.pair().get().partner()
                    + ": in the last 2 days the load moved from one to the other and back 1 time, last at")),
                    p.evidence().toString());
        }
    }

    @Test
    void aPairThatFitsIsKeptAndToldSo() {
        List<CountPoint> a = Series.counts(48, Duration.ofHours(1), 1_048_576, i -> 100_000);
        List<CountPoint> b = Series.counts(48, Duration.ofHours(1), 1_048_576, i -> 60_000);
        HostHistory ha = Series.host("a", 1_048_576, a, List.of());
        PairLoad pair = PairLoad.of(ha, Series.host("b", 1_048_576, b, List.of()), B, Series.NOW).orElseThrow();
        CapacityPlan p = planner.plan(ha, CapacityPlannerTest.memoryOnly(16 * GIB), Series.NOW, Optional.of(pair));
        assertEquals(CapacityAction.KEEP, p.action(), p.note());
        assertTrue(p.note().contains("that holds its failover partner b's load too (together they peak at 160,000)"),
                p.note());
    }

    @Test
    void thePartnersLoadArrivingIsNotAStepToInvestigate() {
        // Five days hourly at 60,000, then for the last three hours 110,000: b failed over to it.
        HostHistory a = Series.host("a", MAX, Series.counts(120, Duration.ofHours(1), MAX,
                i -> i >= 117 ? 110_000 : 60_000), List.of());
        HostHistory b = Series.host("b", MAX, Series.counts(120, Duration.ofHours(1), MAX,
                i -> i >= 117 ? 0 : 50_000), List.of());
        CapacityPlan alone = planner.plan(a, CapacityPlannerTest.memoryOnly(16 * GIB), Series.NOW);
        assertEquals(CapacityAction.INVESTIGATE, alone.action(), "a step, alone: " + alone.note());

        PairLoad pair = PairLoad.of(a, b, B, Series.NOW).orElseThrow();
        CapacityPlan p = planner.plan(a, CapacityPlannerTest.memoryOnly(16 * GIB), Series.NOW, Optional.of(pair));
        assertEquals(CapacityAction.RAISE, p.action(), p.note());
        assertEquals(262_144, p.recommendedMax(), p.note());
    }

    @Test
    void aLeakWithAPartnerIsStillInvestigatedAndSaysWhatThePairNeeds() {
        HostHistory leak = CapacityPlannerTest.leakingDay("a");
        List<CountPoint> b = Series.counts(leak.points().size(), Duration.ofMinutes(10), leak.max(), i -> 40_000);
        PairLoad pair = PairLoad.of(leak, Series.host("b", leak.max(), b, List.of()), B, Series.NOW).orElseThrow();
        HostFacts facts = CapacityPlannerTest.facts(OptionalLong.of(8 * GIB), CapacityPlannerTest.mix(62_000,
                Map.of("ESTABLISHED", 0.80, "TIME_WAIT", 0.12, "udp", 0.08)), List.of(), List.of());
        CapacityPlan withPair = planner.plan(leak, facts, Series.NOW, Optional.of(pair));
        assertEquals(CapacityAction.INVESTIGATE, withPair.action(), withPair.note());
        assertFalse(withPair.changes());
        assertTrue(withPair.evidence().stream().anyMatch(e -> e.startsWith("failover partner b:")),
                withPair.evidence().toString());
    }

    @Test
    void withoutAPartnerNothingChanges() {
        HostHistory a = a(i -> true);
        CapacityPlan p = planner.plan(a, CapacityPlannerTest.memoryOnly(16 * GIB), Series.NOW);
        CapacityPlan q = planner.planFleet(List.of(a), Map.of("a", CapacityPlannerTest.memoryOnly(16 * GIB)),
                Series.NOW, Map.of()).hosts().get(0);
        assertEquals(p, q);
        assertTrue(PairLoad.of(List.of(a), Map.of("a", B), Series.NOW).isEmpty(), "a partner with no history");
    }
}
