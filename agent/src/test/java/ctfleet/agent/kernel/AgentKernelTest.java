package ctfleet.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Sample;
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

    private static long losses(Sample s) {
        return s.getStatsOrDefault("early_drop", 0) + s.getStatsOrDefault("drop", 0);
    }
}
