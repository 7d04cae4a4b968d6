package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntryLifetimeTest {
    static StateCount tcp(String state, long n) {
        return new StateCount("ipv4", "tcp", state, n);
    }

    @Test
    void withoutASampleTheHostIsTakenForAllTcpClosingByFin() {
        EntryLifetime l = EntryLifetime.of(StateSample.NONE, Map.of("tcp_timeout_time_wait", 60L));
        assertEquals(60, l.seconds(), 1e-9, "the host's own TIME_WAIT, not the default");
        assertTrue(l.basis().startsWith("no entry sample"), l.basis());
    }

    @Test
    void tcpsTailWeighsFinAndRstClosesByHowManyEndEachWay() {
        // 1,200 in TIME_WAIT (120 s) end at 10/s; 100 in CLOSE (10 s) also at 10/s: half the
        // connections end each way, so the mean tail is (120 + 10) / 2 = 65 s.
        StateSample s = new StateSample(List.of(tcp("TIME_WAIT", 1_200), tcp("CLOSE", 100), tcp("ESTABLISHED", 700)),
                Map.of());
        assertEquals(65, EntryLifetime.of(s, Map.of()).seconds(), 1e-9);
    }

    @Test
    void eachProtocolWaitsOutItsOwnTimeoutWeightedByItsShare() {
        StateSample s = new StateSample(List.of(tcp("ESTABLISHED", 500), new StateCount("ipv4", "udp", "", 300),
                new StateCount("ipv6", "icmpv6", "", 100), new StateCount("ipv4", "unknown", "", 100)), Map.of());
        Map<String, Long> t = Map.of("tcp_timeout_time_wait", 120L, "udp_timeout", 30L, "icmpv6_timeout", 30L,
                "generic_timeout", 600L);
        // 0.5 x 120 + 0.3 x 30 + 0.1 x 30 + 0.1 x 600
        EntryLifetime l = EntryLifetime.of(s, t);
        assertEquals(132, l.seconds(), 1e-9);
        assertTrue(l.basis().contains("tcp 50% × 120 s") && l.basis().contains("udp 30% × 30 s"), l.basis());
    }

    @Test
    void aMissingTimeoutTakesTheLinuxDefault() {
        StateSample udpOnly = new StateSample(List.of(new StateCount("ipv4", "udp", "", 10)), Map.of());
        assertEquals(30, EntryLifetime.of(udpOnly, Map.of()).seconds(), 1e-9);
    }
}
