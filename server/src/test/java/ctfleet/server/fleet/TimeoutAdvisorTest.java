package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimeoutAdvisorTest {
    private static final Map<String, Long> DEFAULTS = Map.of(
            "tcp_timeout_established", 432_000L, "tcp_timeout_time_wait", 120L, "tcp_timeout_close_wait", 60L,
            "tcp_timeout_syn_sent", 120L, "udp_timeout", 30L, "icmp_timeout", 30L);
    private final TimeoutAdvisor advisor = TimeoutAdvisor.defaults();

    private static StateSample tcp(long established, long timeWait, long closeWait) {
        return new StateSample(List.of(
                new StateCount("ipv4", "tcp", "ESTABLISHED", established),
                new StateCount("ipv4", "tcp", "TIME_WAIT", timeWait / 2),
                new StateCount("ipv6", "tcp", "TIME_WAIT", timeWait - timeWait / 2),
                new StateCount("ipv4", "tcp", "CLOSE_WAIT", closeWait)), Map.of());
    }

    @Test
    void timeWaitDominatingAtTheDefaultIsAdvised() {
        List<TimeoutAdvice> advice = advisor.advise(tcp(40_000, 50_000, 10_000), DEFAULTS, 100_000, 262_144);
        assertEquals(1, advice.size());
        TimeoutAdvice a = advice.get(0);
        assertEquals("net.netfilter.nf_conntrack_tcp_timeout_time_wait", a.sysctl());
        assertEquals(120, a.currentSeconds());
        assertEquals(30, a.suggestedSeconds());
        assertEquals(50_000, a.affectedEntries());
        assertEquals(37_500, a.estimatedFreed()); // 50,000 x (1 - 30/120)
        assertEquals("sysctl -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=30", a.command());
        assertTrue(a.message().contains("50%"), a.message());
        assertTrue(a.message().contains("37500"), a.message());
    }

    @Test
    void aTimeoutSomeoneChangedIsLeftAlone() {
        Map<String, Long> tuned = new java.util.HashMap<>(DEFAULTS);
        tuned.put("tcp_timeout_close_wait", 3600L); // kube-proxy's choice
        assertTrue(advisor.advise(tcp(20_000, 0, 80_000), tuned, 100_000, 262_144).isEmpty());
        assertEquals(15, advisor.advise(tcp(20_000, 0, 80_000), DEFAULTS, 100_000, 262_144).get(0).suggestedSeconds());
    }

    @Test
    void unknownTimeoutGetsNoAdvice() {
        assertTrue(advisor.advise(tcp(40_000, 50_000, 10_000), Map.of(), 100_000, 262_144).isEmpty());
    }

    @Test
    void minorityStatesGetNoAdvice() {
        assertTrue(advisor.advise(tcp(80_000, 15_000, 5_000), DEFAULTS, 100_000, 262_144).isEmpty());
    }

    @Test
    void unrepliedUdpPointsAtUdpTimeout() {
        StateSample s = new StateSample(List.of(
                new StateCount("ipv4", "udp", "", 60_000),
                new StateCount("ipv4", "tcp", "ESTABLISHED", 40_000)), Map.of("udp", 45_000L, "tcp", 1_000L));
        List<TimeoutAdvice> advice = advisor.advise(s, DEFAULTS, 100_000, 262_144);
        assertEquals(1, advice.size());
        assertEquals("net.netfilter.nf_conntrack_udp_timeout", advice.get(0).sysctl());
        assertEquals(30_000, advice.get(0).estimatedFreed()); // 45,000 x (1 - 10/30)
    }

    @Test
    void establishedOnlyWhenTheTableIsNearlyFull() {
        StateSample s = tcp(90_000, 5_000, 5_000);
        assertTrue(advisor.advise(s, DEFAULTS, 100_000, 262_144).isEmpty());
        List<TimeoutAdvice> full = advisor.advise(s, DEFAULTS, 100_000, 120_000);
        assertEquals(1, full.size());
        assertEquals(86_400, full.get(0).suggestedSeconds());
        assertEquals(72_000, full.get(0).estimatedFreed()); // 90,000 x (1 - 1/5)
        assertTrue(full.get(0).caveat().contains("keepalive"));
    }

    @Test
    void adviceIsOrderedByEntriesFreed() {
        StateSample s = new StateSample(List.of(
                new StateCount("ipv4", "tcp", "TIME_WAIT", 35_000),
                new StateCount("ipv4", "tcp", "CLOSE_WAIT", 45_000),
                new StateCount("ipv4", "tcp", "ESTABLISHED", 20_000)), Map.of());
        List<TimeoutAdvice> advice = advisor.advise(s, DEFAULTS, 100_000, 262_144);
        // TIME_WAIT frees 26,250; CLOSE_WAIT frees 33,750.
        assertEquals(List.of("net.netfilter.nf_conntrack_tcp_timeout_close_wait",
                "net.netfilter.nf_conntrack_tcp_timeout_time_wait"), advice.stream().map(TimeoutAdvice::sysctl).toList());
    }

    @Test
    void emptySampleGivesNoAdvice() {
        assertTrue(advisor.advise(new StateSample(List.of(), Map.of()), DEFAULTS, 0, 0).isEmpty());
    }
}
