package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first-time user's tour, run as a user runs it: {@code ctfleet demo} through a launcher, which
 * starts the server, the simulator and the agent as processes of their own. Every report appears,
 * and nothing is left behind: no directory, no process.
 */
class DemoTest {
    @TempDir
    Path tmp;

    static Set<String> demoDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("ctfleet-demo-"))
                    .collect(Collectors.toSet());
        }
    }

    /** Processes whose command line names a demo directory: a server left running. */
    static List<String> demoProcesses() {
        return ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("ctfleet-demo-"))
                .toList();
    }

    @Test
    void tourShowsSummaryTopHostAndCapacityAndCleansUp() throws Exception {
        Set<String> before = demoDirs();
        Path launcher = TestLauncher.write(tmp);
        Process p = new ProcessBuilder(launcher.toString(), "demo", "--hosts", "30",
                "--proc-root", EndToEndTest.PROC.resolve("gw-near-full").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        for (String step : new String[] {"== A throw-away ctfleet server is listening on 127.0.0.1:",
                "ctfleet server --listen 127.0.0.1:0 --db ", "Simulating 30 NAT gateways", "ctfleet simulate --server ",
                "ctfleet agent --server ", "sample acknowledged by",
                "== ctfleet summary", "hosts reporting", "== ctfleet top", "RANK", "== ctfleet host",
                "memory per entry", "== ctfleet capacity", "Fleet total to reserve"}) {
            assertTrue(out.contains(step), step + " in:\n" + out);
        }
        assertTrue(out.matches("(?s).*samples lost +0\\b.*"), out);
        // The fleet's leaking gateway is to investigate, with the timeout to change, not a 30-day line.
        String capacity = out.substring(out.indexOf("== ctfleet capacity"));
        assertTrue(capacity.contains("Investigate, do not raise (1):")
                && capacity.contains("sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=86400"), capacity);
        assertTrue(capacity.contains("Full, now or earlier in the window: planned from the demand their clamped count hid"), capacity);
        // Its HA pair, which failed over within the day, is planned so either holds both loads.
        assertTrue(capacity.contains("failover partner"), capacity);
        assertEquals(before, demoDirs(), "no database directory left behind");
        assertEquals(List.of(), demoProcesses(), "no server left running");
    }

    @Test
    void withoutTheLauncherTheDemoSaysHowToRunIt() {
        // In process, from a directory of classes: neither $CTFLEET_LAUNCHER nor a jar in the launcher's tree.
        EndToEndTest.Result r = EndToEndTest.cli("demo", "--hosts", "1");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("./ctfleet demo"), r.err());
    }
}
