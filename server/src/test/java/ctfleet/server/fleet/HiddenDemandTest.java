package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HiddenDemandTest {
    static final long MAX = 100_000;

    static HostHistory host(long count) {
        return Series.host("h", MAX, Series.counts(60, MAX, i -> count), List.of());
    }

    static HostFacts facts(List<RefusalPoint> refusals) {
        // All TCP closing by FIN: a 120 s lifetime.
        StateSample s = new StateSample(List.of(new StateCount("ipv4", "tcp", "TIME_WAIT", 10)), Map.of());
        return new HostFacts(OptionalLong.empty(), 256, s, 0, List.of(), Map.of("tcp_timeout_time_wait", 120L), refusals);
    }

    static RefusalPoint minute(int minutesAgo, long peak, long drop, long earlyDrop, long insertFailed) {
        return new RefusalPoint(Series.NOW.minus(Duration.ofMinutes(minutesAgo)), Duration.ofMinutes(1), peak, drop,
                earlyDrop, insertFailed);
    }

    @Test
    void theBusiestFiveMinutesSetTheEstimate() {
        List<RefusalPoint> r = new ArrayList<>();
        for (int i = 20; i > 0; i--) {
            // Minutes 20..16 refuse 600 early drops a minute (10/s); the rest 60 (1/s).
            r.add(minute(i, MAX, 0, i > 15 ? 600 : 60, 0));
        }
        HiddenDemand.Estimate e = HiddenDemand.of(host(MAX), facts(r)).orElseThrow();
        assertEquals(10, e.refusedPerSecond(), 1e-9);
        assertEquals(MAX + 1_200, e.entries(), "count + 10/s x 120 s");
        assertEquals(Series.NOW.minus(Duration.ofMinutes(20)), e.at());
        assertEquals(Duration.ofMinutes(5), e.stretch());
        assertTrue(e.explain().contains("100,000 entries + 10.0 refused connections/s × 120 s"), e.explain());
    }

    @Test
    void dropCountsPacketsSoARefusedConnectionsSevenSynsCountOnce() {
        List<RefusalPoint> r = List.of(minute(5, MAX, 4_200, 0, 0), minute(4, MAX, 4_200, 0, 0),
                minute(3, MAX, 4_200, 0, 0), minute(2, MAX, 4_200, 0, 0), minute(1, MAX, 4_200, 0, 0));
        // 4,200 drops a minute = 70/s packets = 10/s connections.
        assertEquals(10, HiddenDemand.of(host(MAX), facts(r)).orElseThrow().refusedPerSecond(), 1e-9);
    }

    @Test
    void fullMeansAtMaxOrDropOrEarlyDropButNotInsertFailedAlone() {
        List<RefusalPoint> clashes = List.of(minute(5, 40_000, 0, 0, 500), minute(1, 40_000, 0, 0, 500));
        assertTrue(HiddenDemand.of(host(40_000), facts(clashes)).isEmpty());
        List<RefusalPoint> drops = List.of(minute(5, 99_000, 70, 0, 0));
        assertTrue(HiddenDemand.of(host(99_000), facts(drops)).isPresent(), "drop counts only when there was no room");
        assertTrue(HiddenDemand.of(host(MAX), facts(List.of())).isPresent(), "at max, refusals seen or not");
        HostHistory unlimited = Series.host("u", 0, Series.counts(60, 0, i -> 500_000), List.of());
        assertTrue(HiddenDemand.of(unlimited, facts(drops)).isEmpty(), "no limit, nothing refused for size");
    }

    @Test
    void aFullHostWithoutRefusalsSeenHidesNothingWeCanCount() {
        HiddenDemand.Estimate e = HiddenDemand.of(host(MAX), facts(List.of())).orElseThrow();
        assertEquals(MAX, e.entries());
        assertEquals(0, e.refusedPerSecond());
    }

    @Test
    void aWindowsFirstRawPointWithNoIntervalIsSkipped() {
        List<RefusalPoint> r = List.of(new RefusalPoint(Instant.EPOCH, Duration.ZERO, MAX, 0, 999_999, 0),
                minute(1, MAX, 0, 600, 0));
        assertEquals(10, HiddenDemand.of(host(MAX), facts(r)).orElseThrow().refusedPerSecond(), 1e-9);
    }
}
