package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ctfleet.server.fleet.CapacityPlan;
import ctfleet.server.fleet.CapacityPlanner;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.CounterPoint;
import ctfleet.server.fleet.HostFacts;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.RefusalPoint;
import ctfleet.server.store.Counters;
import ctfleet.server.store.HistoryPoint;
import ctfleet.server.store.LatestState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What the capacity plan reads from the store, turned into its inputs. */
class CapacityInputsTest {
    static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
    static final long HOUR = 3_600_000;

    static LatestState latest(long count, long max) {
        return new LatestState("gw", Map.of(), "6.18", NOW.toEpochMilli(), NOW.toEpochMilli(), true, count, max, max,
                Map.of(), Map.of("tcp_timeout_time_wait", 120L), 256, false, Optional.empty(), 0, 0, false,
                LatestState.PreviousStats.NONE, OptionalLong.of(8L << 30), OptionalLong.empty(), false);
    }

    @Test
    void aRollupIsPlannedFromItsHighestSampleNotItsAverage() {
        // Three days of hourly rollups averaging 60k whose highest sample was 100k: the table
        // refuses at 100k, so 100k x 1.5 -> 262,144, not 60k x 1.5 -> 131,072. (Capacity reads a
        // point through Peaks: if this fails after CountPoint changed what count means, Peaks.of is
        // the line to change.)
        List<HistoryPoint> points = new ArrayList<>();
        for (int i = 72; i > 0; i--) {
            points.add(new HistoryPoint(NOW.toEpochMilli() - i * HOUR, NOW.toEpochMilli() - i * HOUR + HOUR - 10_000, HOUR, 360, 60_000, 20_000, 100_000, 131_072,
                    OptionalDouble.of(100_000 / 131_072.0), Counters.ZERO));
        }
        LatestState l = latest(60_000, 131_072);
        HostHistory h = FleetHistories.of(l, points, NOW);
        HostFacts f = CapacityInputs.facts(l, EntryEstimates.NONE, CapacityInputs.refusals(points));
        CapacityPlan p = new CapacityPlanner(Duration.ofDays(30), 1.5).plan(h, f, NOW);
        assertEquals(100_000, p.peakCount());
        assertEquals(262_144, p.requiredMax());
        assertEquals(OptionalLong.of(8L << 30), p.hostMemoryBytes());
    }

    @Test
    void theHostViewsRefusalsAreOneStretchBetweenTheWindowsEnds() {
        // The ranking may cut its counters where its recent minutes begin; capacity takes the ends.
        List<CounterPoint> counters = List.of(
                new CounterPoint(NOW.minus(Duration.ofHours(1)), "", Map.of("drop", 0L, "early_drop", 0L)),
                new CounterPoint(NOW.minus(Duration.ofMinutes(10)), "", Map.of("drop", 700L, "early_drop", 3_000L)),
                new CounterPoint(NOW, "", Map.of("drop", 1_400L, "early_drop", 3_600L)));
        List<CountPoint> counts = List.of(new CountPoint(NOW.minus(Duration.ofMinutes(30)), 65_536, 65_536),
                new CountPoint(NOW.minus(Duration.ofHours(2)), 99_999, 65_536));
        List<RefusalPoint> r = CapacityInputs.refusals(counters, counts);
        assertEquals(List.of(new RefusalPoint(NOW.minus(Duration.ofHours(1)), Duration.ofHours(1), 65_536, 1_400, 3_600,
                0)), r);
        assertEquals(List.of(), CapacityInputs.refusals(counters.subList(0, 1), counts));
    }
}
