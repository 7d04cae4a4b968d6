package ctfleet.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel's conntrack files as seen from inside throw-away network namespaces. */
@Tag("kernel")
class ConntrackKernelTest {

    private static final String COUNT = "/proc/sys/net/netfilter/nf_conntrack_count";
    private static final String MAX = "/proc/sys/net/netfilter/nf_conntrack_max";
    private static final String TABLE = "/proc/net/nf_conntrack";
    private static final String STAT = "/proc/net/stat/nf_conntrack";

    private static final FlowPlan EVERY_KIND = new FlowPlan(Map.of(
            FlowKind.TCP4_ESTABLISHED, 3,
            FlowKind.TCP6_ESTABLISHED, 2,
            FlowKind.TCP4_TIME_WAIT, 2,
            FlowKind.TCP4_SYN_SENT, 1,
            FlowKind.UDP4_UNREPLIED, 4,
            FlowKind.UDP4_REPLIED, 2,
            FlowKind.UDP6_REPLIED, 1,
            FlowKind.ICMP4_ECHO, 2));

    @BeforeAll
    static void kernelAvailable() {
        KernelTestSupport.requireRootAndTools();
        Netns.deleteStale();
    }

    @Test
    void namespaceSeesOwnFlowsOnly() {
        try (Netns busy = Netns.create(); Netns idle = Netns.create();
             OpenFlows flows = OpenFlows.open(busy, EVERY_KIND)) {
            List<ConntrackLine> lines = awaitPlan(busy, EVERY_KIND);

            assertEquals(EVERY_KIND.totalEntries(), lines.size());
            assertEquals(EVERY_KIND.totalEntries(), readLong(busy, COUNT));
            assertEquals(0, readLong(idle, COUNT));
            assertEquals("", idle.readFile(TABLE));
            // The stat file's entries column is this namespace's count, not the host's.
            assertEquals(EVERY_KIND.totalEntries(), KernelStat.parse(busy.readFile(STAT)).entries());
            assertEquals(0, KernelStat.parse(idle.readFile(STAT)).entries());
        }
    }

    @Test
    void flowMakerLeavesOneEntryPerFlowOfEachKind() {
        try (Netns netns = Netns.create(); OpenFlows flows = OpenFlows.open(netns, EVERY_KIND)) {
            List<ConntrackLine> lines = awaitPlan(netns, EVERY_KIND);

            for (FlowKind kind : FlowKind.values()) {
                long seen = lines.stream().filter(kind::matches).count();
                assertEquals(EVERY_KIND.count(kind), seen, kind + " in\n" + netns.readFile(TABLE));
            }
            assertTrue(lines.stream().filter(FlowKind.TCP4_SYN_SENT::matches)
                    .allMatch(line -> line.originalDport() == Netns.DROPPED_TCP_PORT));
        }
    }

    @Test
    void fillReachesMaxAndEarlyDropGrows() {
        try (Netns netns = Netns.create()) {
            long max = readLong(netns, MAX);
            KernelStat before = KernelStat.parse(netns.readFile(STAT));

            FillResult fill = TableFiller.fill(netns, 1000);
            KernelStat after = KernelStat.parse(netns.readFile(STAT));
            long count = readLong(netns, COUNT);

            System.out.println("table fill: " + fill.format("FILLED"));
            assertEquals(max, fill.max());
            assertEquals(max, count);
            assertEquals(count, after.entries());
            assertTrue(after.fullTableLosses() - before.fullTableLosses() >= 1000,
                    "early_drop+drop grew by " + (after.fullTableLosses() - before.fullTableLosses()));
            assertTrue(after.counter("early_drop") > before.counter("early_drop"), "early_drop did not grow");
        }
    }

    /** The agent cannot assume it may tune the limit per namespace: outside init_net it is read-only. */
    @Test
    void conntrackMaxIsTheHostsAndReadOnlyInsideNamespace() throws IOException {
        try (Netns netns = Netns.create()) {
            String mode = netns.exec(Duration.ofSeconds(10), "stat", "-c", "%a", MAX).stdoutOrThrow().strip();

            assertEquals("444", mode);
            assertEquals(ProcText.readLong(Path.of(MAX)), readLong(netns, MAX));
        }
    }

    @Test
    void closeDeletesNamespaceAndWhatRunsInside() {
        Netns netns = Netns.create();
        OpenFlows flows = OpenFlows.open(netns, new FlowPlan(Map.of(FlowKind.TCP4_ESTABLISHED, 1)));

        netns.close();

        assertFalse(namespaces().contains(netns.name()));
        assertFalse(flows.running());
        flows.close();
    }

    @Test
    void deleteStaleRemovesNamespacesOfDeadRunsOnly() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String stale = Netns.PREFIX + gone.pid() + "-dead";
        Commands.run(List.of(ip(), "netns", "add", stale), "", Duration.ofSeconds(10)).stdoutOrThrow();
        try (Netns live = Netns.create()) {
            List<String> deleted = Netns.deleteStale();

            assertTrue(deleted.contains(stale), "deleted " + deleted);
            assertFalse(namespaces().contains(stale));
            assertTrue(namespaces().contains(live.name()));
        } finally {
            Commands.run(List.of(ip(), "netns", "del", stale), "", Duration.ofSeconds(10));
        }
    }

    /**
     * Loopback delivers synchronously, but the last ACK of a close may still be in flight, so the
     * table gets a moment to match the plan; the caller then asserts on whatever it shows.
     */
    private static List<ConntrackLine> awaitPlan(Netns netns, FlowPlan plan) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<ConntrackLine> lines = ConntrackLine.parseAll(netns.readFile(TABLE));
        while (!matches(lines, plan) && System.nanoTime() < deadline) {
            sleep(100);
            lines = ConntrackLine.parseAll(netns.readFile(TABLE));
        }
        return lines;
    }

    private static boolean matches(List<ConntrackLine> lines, FlowPlan plan) {
        return lines.size() == plan.totalEntries() && List.of(FlowKind.values()).stream()
                .allMatch(kind -> lines.stream().filter(kind::matches).count() == plan.count(kind));
    }

    private static long readLong(Netns netns, String path) {
        return Long.parseLong(netns.readFile(path).strip());
    }

    private static List<String> namespaces() {
        String listing = Commands.run(List.of(ip(), "netns", "list"), "", Duration.ofSeconds(10)).stdoutOrThrow();
        return listing.lines().map(line -> line.strip().split("\\s+")[0]).toList();
    }

    private static String ip() {
        return KernelTestSupport.executable("ip").orElseThrow().toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
