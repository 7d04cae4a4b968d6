package ctfleet.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Random command lines built from the CLI's own commands and options (read from its picocli model,
 * so new options are fuzzed without touching this test) and hostile values: every run ends with
 * exit 0, 1 or 2 (3 for check, which speaks Nagios) and never prints a stack trace.
 */
class CliArgsFuzzTest {
    static final long SEED = 4_242_001L;
    static final int MAX_RUNS = 200;
    static final Duration BUDGET = Duration.ofSeconds(15);
    // demo starts a server and samples this machine: slow and not what argument fuzzing is about.
    static final List<String> SKIP = List.of("demo");

    @TempDir
    Path tmp;

    @Test
    void randomArgumentsExitZeroOneOrTwoWithoutAStackTrace() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        List<String> words = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        CommandLine root = Cli.commandLine();
        words.addAll(root.getCommandSpec().optionsMap().keySet());
        for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
            if (!SKIP.contains(sub.getKey())) {
                commands.add(sub.getKey());
                words.addAll(sub.getValue().getCommandSpec().optionsMap().keySet());
            }
        }
        List<String> values = List.of("", "-", "--", "0", "-1", "99999999999999999999", "1h", "0s", "5x", "NaN",
                "127.0.0.1:" + deadPort, "[::1]:" + deadPort, "localhost:99999", "nonsense", ":", "[::1",
                "json", "csv", "table", "yaml", "a=b", "=", "k=", "agent", "reader", "gw-1,gw-2", ",,",
                tmp.resolve("missing").toString(), tmp.toString(), "/dev/null", "\u0000", "\u00e9\u4e2d",
                "x".repeat(10_000), "%s%n", "$(id)", "--help", "-h", "--version");
        // Warm up: the first gRPC channel of a JVM loads Netty, seconds on a busy machine.
        Cli.commandLine().setErr(new PrintWriter(new StringWriter())).execute("top", "--server", "127.0.0.1:" + deadPort);
        Random r = new Random(SEED);
        Map<Integer, Integer> codes = new TreeMap<>();
        int[] runs = {0};
        assertTimeoutPreemptively(BUDGET.plusSeconds(60), () -> {
            long end = System.nanoTime() + BUDGET.toNanos();
            while (runs[0] < MAX_RUNS && System.nanoTime() < end) {
                List<String> args = new ArrayList<>();
                if (r.nextInt(10) > 0) {
                    args.add(r.nextInt(20) == 0 ? "n0-such-command" : commands.get(r.nextInt(commands.size())));
                }
                for (int i = 0, k = r.nextInt(6); i < k; i++) {
                    args.add(r.nextBoolean() ? words.get(r.nextInt(words.size())) : values.get(r.nextInt(values.size())));
                }
                if (args.contains("gen-certs") || args.contains("gen-token")) {
                    args.add(1, tmp.resolve("out-" + runs[0]).toString()); // never write into the working directory
                }
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cl = Cli.commandLine();
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
                long t0 = System.nanoTime();
                int code = cl.execute(args.toArray(String[]::new));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > 300) {
                    System.out.println("fuzz CLI: slow (" + ms + " ms): " + args.stream().map(a -> a.length() > 40 ? a.substring(0, 40) + "..." : a).toList());
                }
                String text = out + "\n" + err;
                // check follows the Nagios convention: 3 is UNKNOWN, usage errors included.
                boolean check = !args.isEmpty() && args.get(0).equals("check");
                assertTrue(code == 0 || code == 1 || code == 2 || (check && code == 3),
                        "exit " + code + " for " + args + ":\n" + text);
                assertFalse(text.contains("\tat ") || text.contains("Exception in"), "stack trace for " + args + ":\n" + text);
                codes.merge(code, 1, Integer::sum);
                runs[0]++;
            }
        });
        System.out.println("fuzz CLI arguments: " + runs[0] + " command lines, exit codes " + codes);
        assertTrue(runs[0] >= 20, "too few runs: " + runs[0]);
        assertTrue(codes.getOrDefault(2, 0) > 0, "usage errors were among them");
    }
}
