package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class CapacityPlannerTest {
    static final long GIB = 1L << 30;
    static final Map<String, Long> DEFAULT_TIMEOUTS = Map.of("tcp_timeout_established", 432_000L,
            "tcp_timeout_time_wait", 120L, "tcp_timeout_close", 10L, "udp_timeout", 30L, "icmp_timeout", 30L);

    private final CapacityPlanner planner = new CapacityPlanner(Duration.ofDays(30), 1.5);

    /** 30 days hourly; count(h) for h = hours before now. */
    private static HostHistory hourly(String id, long max, long buckets, IntToLongFunction count) {
        return hourly(id, 30 * 24, max, buckets, count);
    }

    private static HostHistory hourly(String id, int hours, long max, long buckets, IntToLongFunction count) {
        List<CountPoint> pts = Series.counts(hours, Duration.ofHours(1), max, i -> count.applyAsLong(hours - 1 - i));
        return history(id, max, buckets, pts);
    }

    /** Points every {@code step} over {@code span}, count(i) for i = 0 (oldest) .. n-1. */
    private static HostHistory every(String id, Duration step, Duration span, long max, IntToLongFunction count) {
        int n = (int) (span.toSeconds() / step.toSeconds()) + 1;
        return history(id, max, max, Series.counts(n, step, max, count));
    }

    private static HostHistory history(String id, long max, long buckets, List<CountPoint> pts) {
        return new HostHistory(id, Map.of(), ConntrackModule.LOADED, pts.get(pts.size() - 1).count(), max, buckets,
                Series.NOW, Duration.ofSeconds(10), pts, List.of());
    }

    /** A breakdown of {@code total} entries: state name to share; "udp" is UDP, the rest TCP. */
    static StateSample mix(long total, Map<String, Double> shares) {
        List<StateCount> states = new ArrayList<>();
        shares.forEach((state, share) -> states.add(state.equals("udp")
                ? new StateCount("ipv4", "udp", "", Math.round(total * share))
                : new StateCount("ipv4", "tcp", state, Math.round(total * share))));
        return new StateSample(states, Map.of());
    }

    static HostFacts facts(OptionalLong mem, StateSample states, List<HostFacts.Destination> top,
                           List<RefusalPoint> refusals) {
        return new HostFacts(mem, 256, states, Math.round(states.total() * 0.9), top, DEFAULT_TIMEOUTS, refusals);
    }

    static HostFacts memoryOnly(long mem) {
        return new HostFacts(OptionalLong.of(mem), 256, StateSample.NONE, 0, List.of(), DEFAULT_TIMEOUTS, List.of());
    }

    // --- the plan from peaks and trends -------------------------------------------------------

    @Test
    void recommendsNextPowerOfTwoAboveThePeakWithHeadroom() {
        // Flat at 60k with one 100k peak: 100k x 1.5 = 150k -> 262,144.
        HostHistory h = hourly("a", 131_072, 131_072, hoursAgo -> hoursAgo == 50 ? 100_000 : 60_000);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(100_000, p.peakCount());
        assertEquals(262_144, p.requiredMax());
        assertEquals(262_144, p.recommendedMax());
        assertEquals(262_144, p.recommendedBuckets());
        assertEquals(CapacityAction.RAISE, p.action());
        assertTrue(p.changes());
    }

    @Test
    void neverRecommendsShrinkingButShowsWhatWouldDo() {
        HostHistory h = hourly("big", 1_048_576, 1_048_576, hoursAgo -> 10_000);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(16_384, p.requiredMax());
        assertEquals(1_048_576, p.recommendedMax());
        assertEquals(1_048_576, p.recommendedBuckets());
        assertFalse(p.changes());
        assertEquals(CapacityAction.KEEP, p.action());
        assertEquals(0, p.additionalMemoryBytes());
        assertTrue(p.note().contains("16,384 would do"), p.note());
    }

    @Test
    void aHashSizeNotKnownIsNamedNotRaised() {
        // Imported from Prometheus: no buckets. A max that covers the peak is kept; the hash is
        // advised, not made a raise with "0 buckets give chains of 360000".
        HostHistory h = hourly("imported", 262_144, 0, hoursAgo -> 60_000);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(CapacityAction.KEEP, p.action());
        assertEquals(262_144, p.recommendedBuckets());
        assertEquals(0, p.additionalMemoryBytes());
        assertTrue(p.note().contains("hash size unknown (not in an import; read it from"
                + " /sys/module/nf_conntrack/parameters/hashsize): 262,144 give chains of 2 when full"), p.note());
        assertFalse(p.note().contains("0 buckets give"), p.note());
        // A raise of max is still one, and its memory counts the entries it adds.
        CapacityPlan raise = planner.plan(hourly("imported-full", 65_536, 0, hoursAgo -> 60_000), 256, Series.NOW);
        assertEquals(CapacityAction.RAISE, raise.action());
        assertEquals(131_072, raise.recommendedMax());
        assertEquals((131_072 - 65_536) * 256, raise.additionalMemoryBytes());
    }

    @Test
    void growthOfDailyPeaksIsProjectedOverTheHorizon() {
        // Daily peak grows 1,000 a day (peaks at hour 12 of each day back): now ~100k, in 30 days ~130k.
        HostHistory h = hourly("grow", 262_144, 262_144, hoursAgo -> {
            int daysAgo = hoursAgo / 24;
            long peak = 100_000 - 1_000L * daysAgo;
            return hoursAgo % 24 == 12 ? peak : peak / 2;
        });
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(1_000, p.growthPerDay(), 1);
        assertEquals(130_000, p.projectedPeak(), 1_000);
        assertEquals(262_144, p.requiredMax()); // 130k x 1.5 = 195k
        // (262,144 - ~100k) / 1,000 a day: about 162 days away.
        long days = Duration.between(Series.NOW, p.projectedFullAt().orElseThrow()).toDays();
        assertEquals(162, days, 2);
        assertEquals(CapacityAction.KEEP, p.action());
        assertTrue(p.note().contains("growing +1,000/day over 30 days; 130,500 at the 30-day horizon"), p.note());
    }

    @Test
    void theHashFollowsARaiseButOnItsOwnIsResizedOnlyWhenItsChainsAreLongAlready() {
        // max/4 buckets, the old default: a quiet table has short chains, a busy one does not.
        CapacityPlan quiet = planner.plan(hourly("quiet", 262_144, 65_536, hoursAgo -> 40_000), 256, Series.NOW);
        assertEquals(CapacityAction.KEEP, quiet.action(), quiet.note());
        assertEquals(65_536, quiet.recommendedBuckets());
        CapacityPlan busy = planner.plan(hourly("busy", 262_144, 65_536, hoursAgo -> 160_000), 256, Series.NOW);
        assertEquals(CapacityAction.RAISE, busy.action());
        assertEquals(262_144, busy.recommendedMax());
        assertEquals(262_144, busy.recommendedBuckets());
        assertTrue(busy.note().contains("hash size 262,144: at its peak today's 65,536 buckets give chains of 4.9"),
                busy.note());
        CapacityPlan raised = planner.plan(hourly("raised", 131_072, 32_768, hoursAgo -> 100_000), 256, Series.NOW);
        assertEquals(262_144, raised.recommendedBuckets(), "a raise brings the hash to the new max");
    }

    @Test
    void shrinkingPeaksDoNotLowerTheProjection() {
        HostHistory h = hourly("shrink", 262_144, 262_144, hoursAgo -> 50_000 + 100L * hoursAgo);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertTrue(p.growthPerDay() < 0);
        assertEquals(p.peakCount(), p.projectedPeak());
        assertTrue(p.projectedFullAt().isEmpty());
    }

    @Test
    void underThreeDaysOfHistoryPlansFromThePeakSeenAndSaysWhy() {
        // One day of a daily cycle: 40k at 04:00, 90k at 16:00. A line through the evening's rise
        // would be +100k/day and a 30-day plan of 3 million entries.
        HostHistory h = every("day", Duration.ofMinutes(10), Duration.ofHours(24), 131_072,
                i -> Math.round(65_000 - 25_000 * Math.cos(2 * Math.PI * (i / 144.0 - 1 / 6.0))));
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(0, p.growthPerDay());
        assertEquals(p.peakCount(), p.projectedPeak(), "no growth added");
        assertEquals(262_144, p.recommendedMax(), "90k x 1.5 = 135k -> 262,144");
        assertTrue(p.projectedFullAt().isEmpty());
        assertTrue(p.note().contains("24.0 h of history: too short for a growth trend (that needs 3 days"), p.note());
    }

    @Test
    void twoDaysAndAFewMinutesAreNotThreeDaysOfPeaks() {
        // Two days and five minutes a minute apart, at 40 % but for three hours yesterday at 85 % (a
        // failover to it). Read as three days, the daily peaks would say +30k/day.
        HostHistory h = every("two-days", Duration.ofMinutes(1), Duration.ofMinutes(2 * 1440 + 5), 131_072,
                i -> i > 2 * 1440 + 5 - 20 * 60 && i < 2 * 1440 + 5 - 17 * 60 ? 111_000 : 52_000);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(0, p.growthPerDay(), p.note());
        assertTrue(p.note().contains("2.0 days of history: too short for a growth trend"), p.note());
    }

    @Test
    void aCountThatDoubledInSecondsNeverGetsALineThroughTheJump() {
        // The host: 60k for half an hour, then 120k within seconds. A 30-day line through the
        // last minutes asked for 34,359,738,368 entries (9 TB), more than the kernel accepts.
        List<CountPoint> pts = new ArrayList<>();
        Instant start = Series.NOW.minus(Duration.ofMinutes(30));
        for (int i = 0; i <= 180; i++) {
            pts.add(new CountPoint(start.plusSeconds(10L * i), i < 178 ? 60_000 : 120_000, 131_072));
        }
        CapacityPlan p = planner.plan(history("jump", 131_072, 131_072, pts), memoryOnly(16 * GIB), Series.NOW);
        assertEquals(0, p.growthPerDay());
        assertEquals(262_144, p.requiredMax(), "120k x 1.5, from the peak, not a line");
        assertTrue(p.recommendedMax() <= KernelLimits.MAX_CONNTRACK_MAX);
        assertTrue(p.memoryBytes() <= p.memoryCapBytes().orElseThrow());
    }

    @Test
    void aJumpInTheLastSecondsOfDaysOfHistoryIsNotReadAsADailyTrend() {
        // Five days at 60k, then 120k for the last 20 seconds: the daily peaks 60, 60, 60, 60, 120k
        // make a line of +12k/day, and 30 days of it asked for a million entries.
        List<CountPoint> pts = new ArrayList<>(Series.counts(5 * 24, Duration.ofHours(1), 131_072, i -> 60_000));
        pts.remove(pts.size() - 1);
        for (int s = 60; s >= 0; s -= 10) {
            pts.add(new CountPoint(Series.NOW.minusSeconds(s), s > 20 ? 60_000 : 120_000, 131_072));
        }
        CapacityPlan p = planner.plan(history("burst-or-failover", 131_072, 131_072, pts), memoryOnly(16 * GIB),
                Series.NOW);
        assertEquals(CapacityAction.INVESTIGATE, p.action(), p.note());
        assertEquals(0, p.growthPerDay());
        assertTrue(p.note().contains("20 s ago, too soon to tell a new level from a burst")
                && p.note().contains("it needs nf_conntrack_max 262,144"), p.note());
        assertEquals(131_072, p.recommendedMax());
    }

    // --- investigate, not raise ---------------------------------------------------------------

    @Test
    void aStepToANewLevelThatHeldIsInvestigatedNotRaisedAndNeverExtrapolated() {
        // 60k for 25 days, then within one hour 120k, held for 5 days. Daily peaks through it slope
        // +3k/day: a line would plan 120k + 90k at the horizon.
        HostHistory h = hourly("failover", 131_072, 131_072, hoursAgo -> hoursAgo < 120 ? 120_000 : 60_000);
        CapacityPlan p = planner.plan(h, memoryOnly(16 * GIB), Series.NOW);
        assertEquals(CapacityAction.INVESTIGATE, p.action());
        assertEquals(131_072, p.recommendedMax(), "nothing raised");
        assertFalse(p.changes());
        assertEquals(0, p.growthPerDay());
        assertTrue(p.note().contains("stepped up from 60,000 to 120,000 within 60 min")
                && p.note().contains("if the new level is here to stay it needs nf_conntrack_max 262,144"), p.note());
        assertTrue(p.evidence().stream().anyMatch(e -> e.contains("a line through the step would read it as growth")),
                p.evidence().toString());
        assertEquals(List.of(), p.timeoutAdvice());
    }

    @Test
    void aRebootThatClimbsBackAndABurstThatFallsBackAreNotSteps() {
        // Reboot: 80k, then 0 for an hour, then back to 80k.
        HostHistory reboot = hourly("reboot", 262_144, 262_144, hoursAgo -> hoursAgo == 40 ? 0 : 80_000);
        assertEquals(CapacityAction.KEEP, planner.plan(reboot, 256, Series.NOW).action());
        // A burst to max for an hour, then back to 50k.
        HostHistory burst = hourly("burst", 262_144, 262_144, hoursAgo -> hoursAgo == 30 ? 262_144 : 50_000);
        CapacityPlan p = planner.plan(burst, 256, Series.NOW);
        assertTrue(LevelShift.find(burst.points(), burst.max()).isEmpty());
        assertEquals(CapacityAction.RAISE, p.action(), "a burst to max is a full host, planned from what it hides");
        assertTrue(p.demandEstimate().isPresent());
    }

    @Test
    void acceleratingDailyPeaksAreInvestigatedNotExtrapolated() {
        // Peaks compounding 25 % a day for 10 days: 20k -> ~150k.
        HostHistory h = hourly("compound", 10 * 24, 262_144, 262_144, hoursAgo -> {
            double daysAgo = hoursAgo / 24.0;
            return Math.round(150_000 * Math.pow(1.25, -daysAgo));
        });
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(CapacityAction.INVESTIGATE, p.action());
        assertEquals(262_144, p.recommendedMax());
        assertTrue(p.note().contains("the daily peaks accelerate"), p.note());
    }

    @Test
    void steadyLinearGrowthWithNoiseIsNotAnAcceleration() {
        // +2k a day for 20 days with a fixed wobble of the daily peak: a trend, not an acceleration.
        HostHistory h = hourly("linear", 20 * 24, 131_072, 131_072, hoursAgo -> {
            int daysAgo = hoursAgo / 24;
            long wobble = new long[] {1_500, -900, 300, -1_700, 800, -200, 1_100}[daysAgo % 7];
            long peak = 100_000 - 2_000L * daysAgo + wobble;
            return hoursAgo % 24 == 18 ? peak : peak * 3 / 4;
        });
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(CapacityAction.RAISE, p.action(), p.note());
        assertEquals(2_000, p.growthPerDay(), 150);
    }

    /** A day of 10-minute samples climbing 50k -> 62k with a little noise: what a leak looks like. */
    static HostHistory leakingDay(String id) {
        return every(id, Duration.ofMinutes(10), Duration.ofHours(24), 262_144,
                i -> 50_000 + 12_000L * i / 144 + (i % 3 - 1) * 150);
    }

    @Test
    void aLeakIsInvestigatedWithItsEvidenceAndTheTimeoutToChange() {
        HostHistory h = leakingDay("leaky");
        StateSample states = mix(62_000, Map.of("ESTABLISHED", 0.80, "TIME_WAIT", 0.12, "udp", 0.08));
        List<HostFacts.Destination> top = List.of(new HostFacts.Destination("10.1.20.7", 5432, "tcp", 41_000),
                new HostFacts.Destination("10.1.0.2", 53, "udp", 3_000));
        CapacityPlan p = planner.plan(h, facts(OptionalLong.of(8 * GIB), states, top, List.of()), Series.NOW);
        assertEquals(CapacityAction.INVESTIGATE, p.action());
        assertEquals(262_144, p.recommendedMax());
        assertEquals(0, p.additionalMemoryBytes());
        assertEquals(12_000, p.growthPerDay(), 600, "the climb, shown, but not planned for");
        String evidence = String.join("\n", p.evidence());
        assertTrue(evidence.contains("80% of the table (≈ 49,600 entries) is in states that wait out a timeout of an hour or more, tcp ESTABLISHED the most"), evidence);
        assertTrue(evidence.contains("tcp_timeout_established is 432000 s (5.0 days, the kernel default)"), evidence);
        assertTrue(evidence.contains("no daily cycle"), evidence);
        assertTrue(evidence.contains("10.1.20.7:5432/tcp 66%"), evidence);
        assertEquals(1, p.timeoutAdvice().size());
        assertEquals("sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=86400",
                p.timeoutAdvice().get(0).command());
        assertTrue(p.note().startsWith("investigate, not raise: ESTABLISHED entries (80% of the table) pile up"),
                p.note());
    }

    @Test
    void anEstablishedMajorityThatFollowsTheDayIsNotALeak() {
        HostHistory h = every("busy", Duration.ofMinutes(10), Duration.ofHours(24), 262_144,
                i -> Math.round(80_000 + 30_000 * Math.sin(2 * Math.PI * i / 144.0)));
        StateSample states = mix(80_000, Map.of("ESTABLISHED", 0.75, "TIME_WAIT", 0.25));
        CapacityPlan p = planner.plan(h, facts(OptionalLong.of(8 * GIB), states, List.of(), List.of()), Series.NOW);
        assertFalse(p.action() == CapacityAction.INVESTIGATE, p.note());
    }

    @Test
    void aClimbOfShortLivedEntriesIsNotALeak() {
        StateSample states = mix(62_000, Map.of("TIME_WAIT", 0.6, "ESTABLISHED", 0.3, "udp", 0.1));
        CapacityPlan p = planner.plan(leakingDay("busier"), facts(OptionalLong.of(8 * GIB), states, List.of(), List.of()),
                Series.NOW);
        assertEquals(CapacityAction.KEEP, p.action(), p.note());
        assertTrue(p.note().contains("too short for a growth trend"), p.note());
    }

    @Test
    void aLeakWithoutTheDefaultTimeoutGetsNoCommandButStillNoRaise() {
        StateSample states = mix(62_000, Map.of("ESTABLISHED", 0.9, "TIME_WAIT", 0.1));
        HostFacts f = new HostFacts(OptionalLong.empty(), 256, states, 50_000, List.of(),
                Map.of("tcp_timeout_established", 7_200L), List.of());
        CapacityPlan p = planner.plan(leakingDay("tuned"), f, Series.NOW);
        assertEquals(CapacityAction.INVESTIGATE, p.action());
        assertEquals(List.of(), p.timeoutAdvice());
        assertTrue(p.note().contains("changed from the kernel default on purpose"), p.note());
    }

    // --- full hosts --------------------------------------------------------------------------

    /** An hour of one-minute stretches at max, each refusing the given counts. */
    static List<RefusalPoint> refusing(long max, long drop, long earlyDrop, long insertFailed) {
        List<RefusalPoint> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            out.add(new RefusalPoint(Series.NOW.minus(Duration.ofMinutes(60 - i)), Duration.ofMinutes(1), max,
                    drop, earlyDrop, insertFailed));
        }
        return out;
    }

    @Test
    void aFullHostIsPlannedFromTheDemandItHidesNotFromItsClampedPeak() {
        HostHistory h = every("full", Duration.ofMinutes(1), Duration.ofHours(1), 65_536, i -> 65_536);
        // 60,000 early drops and 42,000 drops a minute; the table is all TCP closing by FIN: 120 s lifetime.
        StateSample states = mix(65_536, Map.of("ESTABLISHED", 0.5, "TIME_WAIT", 0.5));
        HostFacts f = facts(OptionalLong.of(16 * GIB), states, List.of(), refusing(65_536, 42_000, 60_000, 0));
        CapacityPlan p = planner.plan(h, f, Series.NOW);
        // (42,000 / 7 + 60,000) / 60 s = 1,100 refused connections/s; x 120 s = 132,000.
        assertEquals(65_536 + 132_000, p.demandEstimate().orElseThrow());
        assertEquals(CapacityAction.RAISE, p.action());
        assertEquals(524_288, p.recommendedMax(), "197,536 x 1.5 = 296,304 -> 524,288");
        assertTrue(p.note().startsWith("full: the plan starts from the demand its clamped count hides, 197,536"), p.note());
        assertFalse(p.note().contains("+0/day"), p.note());
        assertTrue(p.evidence().get(0).contains("1,100.0 refused connections/s × 120 s"), p.evidence().toString());
    }

    @Test
    void aHostFullInABurstEarlierIsPlannedFromThatDemandAndSaysWhenNotNow() {
        // At max for the first ten minutes of the hour (refusing), at 30 % since: full in the window,
        // not now. Its plan still holds the burst's demand, but it says when that was.
        HostHistory h = every("burst", Duration.ofMinutes(1), Duration.ofHours(1), 65_536,
                i -> i < 10 ? 65_536 : 20_000);
        List<RefusalPoint> refusals = new ArrayList<>();
        for (RefusalPoint r : refusing(65_536, 42_000, 60_000, 0)) {
            boolean burst = r.ts().isBefore(Series.NOW.minus(Duration.ofMinutes(50)));
            refusals.add(burst ? r : new RefusalPoint(r.ts(), r.span(), 20_000, 0, 0, 0));
        }
        StateSample states = mix(20_000, Map.of("ESTABLISHED", 0.5, "TIME_WAIT", 0.5));
        CapacityPlan p = planner.plan(h, facts(OptionalLong.of(16 * GIB), states, List.of(), refusals), Series.NOW);
        assertEquals(65_536 + 132_000, p.demandEstimate().orElseThrow());
        assertEquals(524_288, p.recommendedMax());
        Instant last = Series.NOW.minus(Duration.ofMinutes(51));
        assertEquals(Optional.of(last), p.projectedFullAt(), "when it was last full, not now: it is at 31 %");
        assertTrue(p.note().startsWith("last full at 11:09, now 31 %: the plan starts from the demand its clamped"
                + " count hid then, 197,536"), p.note());
        assertTrue(p.evidence().get(0).startsWith("last full at 11:09, now 31 %: its count was clamped at max then,"
                + " so"), p.evidence().toString());

        // The host view's window is one stretch of refusals from its start, when the table was not
        // full: the time said is still its last minute at max.
        List<RefusalPoint> one = List.of(new RefusalPoint(Series.NOW.minus(Duration.ofHours(1)), Duration.ofHours(1),
                65_536, 42_000, 60_000 * 10, 0));
        CapacityPlan view = planner.plan(h, facts(OptionalLong.of(16 * GIB), states, List.of(), one), Series.NOW);
        assertEquals(Optional.of(last), view.projectedFullAt());

        // Without counters (an imported host), the demand is at least the clamped peak, not today's count.
        CapacityPlan bare = planner.plan(h, facts(OptionalLong.of(16 * GIB), states, List.of(), List.of()),
                Series.NOW);
        assertEquals(65_536, bare.demandEstimate().orElseThrow());
        assertEquals(Optional.of(last), bare.projectedFullAt());
    }

    @Test
    void insertFailedAloneOnAHalfEmptyTableIsNotFull() {
        HostHistory h = every("clashes", Duration.ofMinutes(1), Duration.ofHours(1), 65_536, i -> 30_000);
        HostFacts f = facts(OptionalLong.of(16 * GIB), StateSample.NONE, List.of(), refusing(30_000, 0, 0, 50));
        assertTrue(planner.plan(h, f, Series.NOW).demandEstimate().isEmpty());
        assertTrue(HiddenDemand.of(h, f).isEmpty());
    }

    // --- what the host can afford and the kernel takes --------------------------------------------

    @Test
    void aPlanNeverCostsMoreThanItsShareOfMemoryAndSaysWhatItNeeded() {
        // Flat at 900k of 1,048,576: it needs 2,097,152 (1.35M x 1.5), which costs 528 MiB; a quarter
        // of a 2 GiB host is 512 MiB. The most that buys, to a quarter step: 1,835,008 (462 MiB).
        HostHistory h = hourly("small", 1_048_576, 1_048_576, hoursAgo -> 900_000);
        CapacityPlan p = planner.plan(h, memoryOnly(2 * GIB), Series.NOW);
        assertEquals(2_097_152, p.requiredMax());
        assertTrue(p.capped());
        assertEquals(OptionalLong.of(GIB / 2), p.memoryCapBytes());
        assertEquals(1_835_008, p.recommendedMax(), "1.75 x 2^20, not today's: 1.75 times the table fits");
        assertEquals(1_835_008, p.recommendedBuckets());
        assertEquals(CapacityAction.RAISE, p.action());
        assertTrue(p.memoryBytes() <= GIB / 2);
        assertTrue(p.note().contains("it needs 2,097,152 (528.0 MiB) but 25% of MemTotal 2.00 GiB is 512.0 MiB:"
                + " capped at nf_conntrack_max 1,835,008 (462.0 MiB)"), p.note());

        // On a 1.2 GiB host (307 MiB to spend, today's costs 264 MiB) not even 1.25 times fits: today's stays.
        CapacityPlan kept = planner.plan(h, memoryOnly(GIB * 6 / 5), Series.NOW);
        assertTrue(kept.capped());
        assertEquals(1_048_576, kept.recommendedMax(), "never below today's");
        assertEquals(CapacityAction.KEEP, kept.action());
        assertTrue(kept.note().contains("today's 1,048,576 stays, nothing larger fits"), kept.note());

        // Daily peaks growing 15k a day to 250k of 262,144: 700k at the horizon x 1.5 needs 2,097,152.
        HostHistory growing = hourly("growing", 10 * 24, 262_144, 262_144, hoursAgo -> {
            long peak = 250_000 - 15_000L * (hoursAgo / 24);
            return hoursAgo % 24 == 12 ? peak : peak / 2;
        });
        CapacityPlan raised = planner.plan(growing, memoryOnly(2 * GIB), Series.NOW);
        assertEquals(2_097_152, raised.requiredMax());
        assertEquals(1_835_008, raised.recommendedMax(), "the most the budget buys, to a quarter step");
        assertEquals(CapacityAction.RAISE, raised.action());
        assertTrue(raised.capped() && raised.memoryBytes() <= GIB / 2);
        assertTrue(raised.note().contains("capped at nf_conntrack_max 1,835,008 (462.0 MiB)"), raised.note());
    }

    @Test
    void aShareOfMemoryIsAFlag() {
        HostHistory h = hourly("m", 65_536, 65_536, hoursAgo -> 100_000);
        CapacityPlan quarter = new CapacityPlanner(Duration.ofDays(30), 1.5, 0.25).plan(h, memoryOnly(GIB / 8), Series.NOW);
        CapacityPlan all = new CapacityPlanner(Duration.ofDays(30), 1.5, 1.0).plan(h, memoryOnly(GIB / 8), Series.NOW);
        assertTrue(quarter.capped() && !all.capped());
        assertEquals(114_688, quarter.recommendedMax(), "32 MiB buys 1.75 x 65,536 (28.9 MiB), not 131,072 (33 MiB)");
        assertEquals(262_144, all.recommendedMax());
        assertThrows(IllegalArgumentException.class, () -> new CapacityPlanner(Duration.ofDays(30), 1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new CapacityPlanner(Duration.ofDays(30), 1.5, 1.01));
        assertThrows(IllegalArgumentException.class, () -> new CapacityPlanner(Duration.ofDays(30), 1.5, Double.NaN));
    }

    @Test
    void aHostAlreadyOverItsShareKeepsTodaysSettingsAndIsToldSo() {
        HostHistory h = hourly("over", 4_194_304, 4_194_304, hoursAgo -> 100_000);
        CapacityPlan p = planner.plan(h, memoryOnly(2 * GIB), Series.NOW);
        assertEquals(CapacityAction.KEEP, p.action());
        assertEquals(4_194_304, p.recommendedMax());
        assertTrue(p.evidence().stream().anyMatch(e -> e.contains("may already take 1.03 GiB, more than 25% of MemTotal")),
                p.evidence().toString());
    }

    @Test
    void unknownMemoryIsCappedOnlyByTheKernelAndSaysSo() {
        // A peak no kernel holds: 2^30 is the largest power of two nf_conntrack_max takes (INT_MAX),
        // 2^27 the largest hash (INT_MAX / 8 slots).
        HostHistory h = hourly("huge", 0, 65_536, hoursAgo -> hoursAgo == 5 ? 900_000_000 : 1_000);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertTrue(p.capped());
        assertEquals(KernelLimits.MAX_CONNTRACK_MAX, p.recommendedMax());
        assertEquals(KernelLimits.MAX_BUCKETS, p.recommendedBuckets());
        assertTrue(p.hostMemoryBytes().isEmpty() && p.memoryCapBytes().isEmpty());
        assertTrue(p.note().contains("MemTotal unknown") && p.note().contains("the kernel takes at most 1,073,741,824"),
                p.note());
    }

    @Test
    void memoryIsEntriesTimesObjectSizePlusEightBytesPerBucket() {
        HostHistory h = hourly("m", 65_536, 65_536, hoursAgo -> 100_000);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(262_144, p.recommendedMax());
        assertEquals(262_144L * 256 + 262_144L * 8, p.memoryBytes());
        assertEquals(p.memoryBytes() - (65_536L * 256 + 65_536L * 8), p.additionalMemoryBytes());
        assertEquals(CapacityPlanner.DEFAULT_BYTES_PER_ENTRY, planner.plan(h, 0, Series.NOW).bytesPerEntry());
    }

    @Test
    void commandsCarryTheRecommendedNumbers() {
        CapacityCommands c = planner.plan(hourly("c", 65_536, 65_536, hoursAgo -> 100_000), 256, Series.NOW).commands();
        assertEquals("sysctl -w net.netfilter.nf_conntrack_max=262144", c.sysctlRuntime());
        assertEquals("echo 262144 > /sys/module/nf_conntrack/parameters/hashsize", c.hashsizeRuntime());
        assertEquals("/etc/sysctl.d/90-conntrack.conf", c.sysctlFile());
        assertEquals("net.netfilter.nf_conntrack_max = 262144", c.sysctlLine());
        assertEquals("/etc/modprobe.d/nf_conntrack.conf", c.modprobeFile());
        assertEquals("options nf_conntrack hashsize=262144", c.modprobeLine());
    }

    @Test
    void unlimitedHostGetsALimitAndTinyHostsAFloor() {
        CapacityPlan unlimited = planner.plan(hourly("u", 0, 65_536, hoursAgo -> 300_000), 256, Series.NOW);
        assertEquals(524_288, unlimited.recommendedMax());
        assertTrue(unlimited.projectedFullAt().isEmpty());
        CapacityPlan tiny = planner.plan(hourly("t", 0, 0, hoursAgo -> 3), 256, Series.NOW);
        assertEquals(1_024, tiny.recommendedMax());
    }

    @Test
    void theFleetTotalIsWhatThePlansAskForTodaysSettingsForHostsToInvestigate() {
        HostHistory a = hourly("a", 65_536, 65_536, hoursAgo -> 100_000);
        HostHistory b = hourly("b", 65_536, 65_536, hoursAgo -> 1_000);
        HostHistory leak = leakingDay("leak");
        HostHistory off = new HostHistory("off", Map.of(), ConntrackModule.NOT_LOADED, 0, 0, 0, Series.NOW,
                Duration.ofSeconds(10), List.of(), List.of());
        StateSample states = mix(62_000, Map.of("ESTABLISHED", 0.8, "TIME_WAIT", 0.2));
        FleetCapacity f = planner.planFleet(List.of(a, b, leak, off), Map.of("a", HostFacts.bytesPerEntryOnly(256),
                "leak", facts(OptionalLong.of(8 * GIB), states, List.of(), List.of())), Series.NOW);
        assertEquals(List.of("a", "b", "leak"), f.hosts().stream().map(CapacityPlan::host).toList());
        assertEquals(320, f.hosts().get(1).bytesPerEntry(), "no facts: the default entry size");
        CapacityPlan leakPlan = f.hosts().get(2);
        assertEquals(CapacityAction.INVESTIGATE, leakPlan.action());
        assertEquals(262_144L * 256 + 262_144L * 8, leakPlan.memoryBytes(), "today's, nothing more");
        assertEquals(f.hosts().stream().mapToLong(CapacityPlan::memoryBytes).sum(), f.totalMemoryBytes());
        assertEquals(f.hosts().get(0).additionalMemoryBytes(), f.totalAdditionalMemoryBytes(), "only the raise adds");
    }

    @Test
    void nextPowerOfTwo() {
        assertEquals(1, CapacityPlanner.nextPowerOfTwo(1));
        assertEquals(1024, CapacityPlanner.nextPowerOfTwo(1024));
        assertEquals(2048, CapacityPlanner.nextPowerOfTwo(1025));
    }
}
