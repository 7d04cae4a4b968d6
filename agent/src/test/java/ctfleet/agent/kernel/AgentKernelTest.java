package ctfleet.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.StateCount;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The agent's own view of a real kernel table, in throw-away network namespaces. */
@Tag("kernel")
class AgentKernelTest {

    @BeforeAll
    static void kernelAvailable() {
        KernelTestSupport.requireRootAndTools();
        Netns.deleteStale();
    }

    @Test
    void agentReportsAFullTableAndEarlyDropGrowingBetweenTwoSamples() {
        try (Netns netns = Netns.create()) {
            Sample empty = AgentPrint.sample(netns, "gw-empty");
            assertEquals(ConntrackStatus.CONNTRACK_STATUS_LOADED, empty.getStatus());
            assertTrue(empty.getMax() > 0, "nf_conntrack_max is read whole, not its first digit: " + empty.getMax());

            FillResult first = TableFiller.fill(netns, 500);
            Sample full = AgentPrint.sample(netns, "gw-full");
            FillResult more = TableFiller.fill(netns, 500);
            Sample fuller = AgentPrint.sample(netns, "gw-full");

            assertEquals(first.max(), full.getMax());
            assertEquals(1.0, (double) full.getCount() / full.getMax(), 0.0, "fill 1.0");
            assertEquals(1.0, (double) fuller.getCount() / fuller.getMax(), 0.0, "still full");
            long lossesFull = losses(full);
            long lossesFuller = losses(fuller);
            assertTrue(lossesFull > losses(empty), "early_drop/drop grew while filling: " + full.getStatsMap());
            assertTrue(lossesFuller > lossesFull,
                    "early_drop/drop grew between two samples of a full table: " + lossesFull + " -> " + lossesFuller
                            + " (filler saw " + more.earlyDropGrowth() + " more early drops)");
        }
    }

    private static final FlowPlan EVERY_KIND = new FlowPlan(Map.of(
            FlowKind.TCP4_ESTABLISHED, 3,
            FlowKind.TCP6_ESTABLISHED, 2,
            FlowKind.TCP4_TIME_WAIT, 2,
            FlowKind.TCP4_SYN_SENT, 1,
            FlowKind.UDP4_UNREPLIED, 4,
            FlowKind.UDP4_REPLIED, 2,
            FlowKind.UDP6_REPLIED, 1,
            FlowKind.ICMP4_ECHO, 2));

    @Test
    void agentAggregatesMatchTheFlowsCreated() throws Exception {
        try (Netns netns = Netns.create(); OpenFlows flows = OpenFlows.open(netns, EVERY_KIND)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            Sample s = AgentPrint.sample(netns, "gw-flows");
            while (s.getCount() != EVERY_KIND.totalEntries() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                s = AgentPrint.sample(netns, "gw-flows");
            }
            Map<String, Long> expected = new TreeMap<>();
            long unreplied = 0;
            for (FlowKind k : FlowKind.values()) {
                expected.merge(k.family() + "/" + k.protocol() + "/" + k.state().orElse(""),
                        (long) EVERY_KIND.count(k), Long::sum);
                unreplied += k.unreplied() ? EVERY_KIND.count(k) : 0;
            }
            expected.values().removeIf(v -> v == 0);
            Map<String, Long> seen = new TreeMap<>();
            for (StateCount c : s.getEntries().getStatesList()) {
                seen.merge(c.getFamily() + "/" + c.getProtocol() + "/" + c.getState(), c.getSampled(), Long::sum);
            }
            assertEquals(EVERY_KIND.totalEntries(), s.getCount());
            assertEquals(expected, seen, "state breakdown of\n" + netns.readFile("/proc/net/nf_conntrack"));
            assertEquals(EVERY_KIND.totalEntries(), s.getEntries().getSampleSize());
            assertEquals(0, s.getEntries().getParseErrors());
            assertTrue(s.getEntries().getFullScan(), "a 2000-line sample covers this small table");
            assertEquals(unreplied, s.getEntries().getUnreplied());
            assertEquals(EVERY_KIND.totalEntries() - unreplied - EVERY_KIND.count(FlowKind.ICMP4_ECHO)
                    - EVERY_KIND.count(FlowKind.UDP4_REPLIED) - EVERY_KIND.count(FlowKind.UDP6_REPLIED),
                    s.getEntries().getAssured(), "TCP flows that saw both directions are [ASSURED]");
        }
    }

    private static long losses(Sample s) {
        return s.getStatsOrDefault("early_drop", 0) + s.getStatsOrDefault("drop", 0);
    }
}
