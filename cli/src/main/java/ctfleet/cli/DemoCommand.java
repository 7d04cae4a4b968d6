package ctfleet.cli;

import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ctfleet demo}: the product tour on the embedded default, run the way a user runs ctfleet.
 * A throw-away {@code ctfleet server}, {@code ctfleet simulate} with a fleet of gateways and a
 * compressed day of history (through the real agent pipeline), this machine's real
 * {@code ctfleet agent --once}, each a process of its own started through the launcher; then
 * summary, top, one host and capacity, each with one line saying what it shows. Leaves no process
 * and no file behind unless --keep.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A tour: throw-away server, simulated fleet with a day of history, this machine's agent, reports.")
public final class DemoCommand implements Callable<Integer> {
    /** The simulator's compressed day: at most this long, plus its drain. */
    static final long SIMULATE_SECONDS = 24 + 60 + 60;

    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc",
            description = "procfs of this machine's real agent (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "200",
            description = "Simulated gateways (default: ${DEFAULT-VALUE}; 0 for none).")
    int hosts;

    @Option(names = "--keep", description = "Keep the demo database directory instead of deleting it.")
    boolean keep;

    @Spec
    CommandSpec spec;

    private final List<Process> started = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (hosts < 0 || hosts > 2000) {
            throw new UsageError("--hosts must be from 0 to 2000");
        }
        Launcher launcher = Launcher.find().orElseThrow(() -> new IllegalStateException(
                "the demo starts ctfleet server, simulate and agent through the ctfleet launcher; run it as"
                        + " ./ctfleet demo (or set $" + Launcher.ENV + " to the launcher)"));
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("ctfleet-demo-");
        // Ctrl-C must not leave a server running: the processes go with the demo, and so does the directory.
        Thread cleanUp = new Thread(() -> stopAll(dir), "ctfleet-demo-stop");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            String addr = startServer(launcher, dir);
            out.println("== A throw-away ctfleet server is listening on " + addr + " (database in " + dir + ").");
            out.println("   ctfleet server --listen 127.0.0.1:0 --db " + dir.resolve("db"));
            if (hosts > 0) {
                out.println("== Simulating " + hosts + " NAT gateways: a day of history in about 25 s, through the"
                        + " real agent pipeline (outbox, stream, acknowledgements) ...");
                String[] args = {"--server", addr, "--hosts", String.valueOf(hosts), "--interval", "10m",
                    "--duration", "24s", "--speed", "3600", "--seed", "7", "--drain", "60s"};
                out.println("   ctfleet simulate " + String.join(" ", args));
                out.flush();
                Run sim = runProcess(launcher.command("simulate", args), SIMULATE_SECONDS);
                out.println("   " + sim.out.lines().filter(l -> l.startsWith("samples acknowledged")
                        || l.startsWith("samples lost")).map(String::strip).reduce((a, b) -> a + ", " + b)
                        .orElse(sim.out.strip()));
            }
            if (!Files.exists(procRoot.resolve("sys/net/netfilter/nf_conntrack_count"))) {
                out.println("== conntrack is NOT loaded on this machine (no "
                        + procRoot.resolve("sys/net/netfilter/nf_conntrack_count")
                        + "): its agent reports it as 'no-conntrack'.");
            }
            out.println("== Running the real agent once against this machine's " + procRoot + " ...");
            String[] agentArgs = {"--server", addr, "--proc-root", procRoot.toString(), "--once"};
            out.println("   ctfleet agent " + String.join(" ", agentArgs));
            out.flush();
            Run agent = runProcess(launcher.command("agent", agentArgs), 60);
            out.print(agent.out.lines().map(l -> "   " + l + System.lineSeparator()).reduce("", String::concat));
            if (agent.code != 0) {
                out.println("== the agent failed (exit " + agent.code + ")");
                return 1;
            }
            step(out, "ctfleet summary --window 24h",
                    "the fleet at a glance: how many hosts in each state, drops, the five nearest to full.",
                    "summary", "--server", addr, "--window", "24h");
            step(out, "ctfleet top --window 24h --limit 12",
                    "hosts nearest to table-full: dropping now, then by chance of full, time to full, fill.",
                    "top", "--server", addr, "--window", "24h", "--limit", "12");
            String first = firstHost(addr);
            if (first != null) {
                step(out, "ctfleet host " + first + " --window 24h",
                        "one host: its rates, what fills its table, and what to set.",
                        "host", first, "--server", addr, "--window", "24h");
            }
            step(out, "ctfleet capacity --window 24h --horizon 30d",
                    "what to set nf_conntrack_max / hashsize to on every host, within a quarter of its memory;"
                            + " leaks and jumps are to investigate, not raise; full hosts are planned from the"
                            + " demand they hide.",
                    "capacity", "--server", addr, "--window", "24h", "--horizon", "30d");
            return 0;
        } finally {
            stopAll(keep ? null : dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanUp);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            if (keep) {
                out.println("== kept " + dir);
            }
            out.flush();
        }
    }

    /** Starts {@code ctfleet server} on a free loopback port; its address once it said it listens. */
    private String startServer(Launcher launcher, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher.command("server", "--listen", "127.0.0.1:0",
                "--db", dir.resolve("db").toString()));
        pb.redirectError(dir.resolve("server.log").toFile());
        Process p = start(pb);
        p.getOutputStream().close();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        String prefix = "ctfleet server listening on ";
        if (line == null || !line.startsWith(prefix)) {
            String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
            throw new IOException("the demo's server did not start" + (log.isBlank() ? "" : ": " + log.strip()));
        }
        return line.substring(prefix.length()).strip();
    }

    record Run(int code, String out) {}

    /** Runs a part to its end (at most {@code seconds}): its exit status and everything it printed. */
    private Run runProcess(List<String> command, long seconds) throws IOException, InterruptedException {
        Process p = start(new ProcessBuilder(command).redirectErrorStream(true));
        p.getOutputStream().close();
        // Read while it runs: a full pipe would stop it.
        StringWriter text = new StringWriter();
        Thread reader = new Thread(() -> {
            try (var in = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
                in.transferTo(text);
            } catch (IOException e) {
                // the process went away; what it said so far is kept
            }
        }, "ctfleet-demo-output");
        reader.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5_000);
            throw new IOException(command.get(1) + " did not finish within " + seconds + " s: " + text);
        }
        reader.join(5_000);
        return new Run(p.exitValue(), text.toString());
    }

    private synchronized Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** SIGTERM to every part still running (the server commits and closes its database), then the directory. */
    private synchronized void stopAll(Path dir) {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
        if (dir != null) {
            try {
                deleteTree(dir);
            } catch (IOException e) {
                System.err.println("ctfleet demo: could not delete " + dir + ": " + e.getMessage());
            }
        }
    }

    private static String firstHost(String addr) {
        var at = ctfleet.common.HostPort.parse(addr);
        ManagedChannel ch = io.grpc.Grpc.newChannelBuilderForAddress(at.host(), at.port(),
                io.grpc.InsecureChannelCredentials.create()).build();
        try {
            TopResponse top = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .top(TopRequest.newBuilder().setLimit(1).setWindowSeconds(86_400).build());
            return top.getHostsCount() == 0 ? null : top.getHosts(0).getHost();
        } finally {
            ServerOption.close(ch);
        }
    }

    private void step(PrintWriter out, String command, String explanation, String... args) {
        out.println();
        out.println("== " + command);
        out.println("   " + explanation);
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cl = Cli.commandLine();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int code = cl.execute(args);
        out.print(o);
        if (code != 0) {
            out.print(e);
        }
        out.flush();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
