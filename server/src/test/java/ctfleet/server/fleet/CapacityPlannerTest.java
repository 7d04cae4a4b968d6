package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityPlannerTest {
    private final CapacityPlanner planner = new CapacityPlanner(Duration.ofDays(30), 1.5);

    /** 30 days hourly; count(h) for h = hours before now. */
    private static HostHistory hourly(String id, long max, long buckets, java.util.function.IntToLongFunction count) {
        int n = 30 * 24;
        List<CountPoint> pts = Series.counts(n, Duration.ofHours(1), max, i -> count.applyAsLong(n - 1 - i));
        return new HostHistory(id, Map.of(), ConntrackModule.LOADED, pts.get(n - 1).count(), max, buckets, Series.NOW,
                Duration.ofSeconds(10), pts, List.of());
    }

    @Test
    void recommendsNextPowerOfTwoAboveThePeakWithHeadroom() {
        // Flat at 60k with one 100k peak: 100k x 1.5 = 150k -> 262,144.
        HostHistory h = hourly("a", 131_072, 131_072, hoursAgo -> hoursAgo == 50 ? 100_000 : 60_000);
        CapacityPlan p = planner.plan(h, 256, Series.NOW);
        assertEquals(100_000, p.peakCount());
        assertEquals(262_144, p.requiredMax());
        assertEquals(262_144, p.recommendedMax());
        assertEquals(262_144, p.recommendedBuckets());
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
        assertEquals(0, p.additionalMemoryBytes());
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
    void fleetTotalSumsLoadedHostsOnly() {
        HostHistory a = hourly("a", 65_536, 65_536, hoursAgo -> 100_000);
        HostHistory b = hourly("b", 65_536, 65_536, hoursAgo -> 1_000);
        HostHistory off = new HostHistory("off", Map.of(), ConntrackModule.NOT_LOADED, 0, 0, 0, Series.NOW,
                Duration.ofSeconds(10), List.of(), List.of());
        FleetCapacity f = planner.planFleet(List.of(a, b, off), Map.of("a", 256L), Series.NOW);
        assertEquals(List.of("a", "b"), f.hosts().stream().map(CapacityPlan::host).toList());
        assertEquals(f.hosts().get(0).memoryBytes() + f.hosts().get(1).memoryBytes(), f.totalMemoryBytes());
        assertEquals(320, f.hosts().get(1).bytesPerEntry());
        assertEquals(f.hosts().get(0).additionalMemoryBytes() + f.hosts().get(1).additionalMemoryBytes(),
                f.totalAdditionalMemoryBytes());
    }

    @Test
    void nextPowerOfTwo() {
        assertEquals(1, CapacityPlanner.nextPowerOfTwo(1));
        assertEquals(1024, CapacityPlanner.nextPowerOfTwo(1024));
        assertEquals(2048, CapacityPlanner.nextPowerOfTwo(1025));
    }
}
