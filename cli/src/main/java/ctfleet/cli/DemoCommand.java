package ctfleet.cli;

import ctfleet.agent.AgentMain;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ctfleet demo}: the product tour on the embedded default. A throw-away server, a fleet of
 * simulated gateways with a compressed day of history (through the real agent pipeline), this
 * machine's real agent, then summary, top, one host and capacity, each with one line saying what
 * it shows. Leaves no process and no file behind unless --keep.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A tour: throw-away server, simulated fleet with a day of history, this machine's agent, reports.")
public final class DemoCommand implements Callable<Integer> {
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

    @Override
    public Integer call() throws Exception {
        if (hosts < 0 || hosts > 2000) {
            throw new UsageError("--hosts must be from 0 to 2000");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("ctfleet-demo-");
        try {
            Database db = Database.open(dir.resolve("db"));
            try (CtfleetServer server = new CtfleetServer(
                    NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), db, Clock.systemUTC())) {
                server.start();
                String addr = "127.0.0.1:" + server.port();
                out.println("== A throw-away ctfleet server is listening on " + addr + " (database in " + dir + ").");
                if (hosts > 0) {
                    out.println("== Simulating " + hosts + " NAT gateways: a day of history in about 25 s, through the"
                            + " real agent pipeline (outbox, stream, acknowledgements) ...");
                    out.flush();
                    Run sim = run("simulate", "--server", addr, "--hosts", String.valueOf(hosts), "--interval", "30m",
                            "--duration", "24s", "--speed", "3600", "--seed", "7", "--drain", "60s");
                    out.println("   " + sim.out.lines().filter(l -> l.startsWith("samples acknowledged")
                            || l.startsWith("samples lost")).map(String::strip).reduce((a, b) -> a + ", " + b)
                            .orElse(sim.err.strip()));
                }
                if (!Files.exists(procRoot.resolve("sys/net/netfilter/nf_conntrack_count"))) {
                    out.println("== conntrack is NOT loaded on this machine (no "
                            + procRoot.resolve("sys/net/netfilter/nf_conntrack_count")
                            + "): its agent reports it as 'no-conntrack'.");
                }
                out.println("== Running the real agent once against this machine's " + procRoot + " ...");
                out.flush();
                int rc = AgentMain.run("--server", addr, "--proc-root", procRoot.toString(), "--once");
                if (rc != 0) {
                    out.println("== the agent failed (exit " + rc + ")");
                    return 1;
                }
                step(out, "ctfleet summary --window 24h",
                        "the fleet at a glance: how many hosts in each state, drops, the five nearest to full.",
                        "summary", "--server", addr, "--window", "24h");
                step(out, "ctfleet top --window 24h --limit 12",
                        "hosts nearest to table-full: dropping now, then by time to full, then by fill.",
                        "top", "--server", addr, "--window", "24h", "--limit", "12");
                String first = firstHost(server.port());
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
            }
            return 0;
        } finally {
            if (keep) {
                out.println("== kept " + dir);
            } else {
                deleteTree(dir);
            }
            out.flush();
        }
    }

    private static String firstHost(int port) {
        ManagedChannel ch = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                io.grpc.InsecureChannelCredentials.create()).build();
        try {
            TopResponse top = QueryGrpc.newBlockingStub(ch).top(TopRequest.newBuilder().setLimit(1)
                    .setWindowSeconds(86_400).build());
            return top.getHostsCount() == 0 ? null : top.getHosts(0).getHost();
        } finally {
            ServerOption.close(ch);
        }
    }

    private void step(PrintWriter out, String command, String explanation, String... args) {
        out.println();
        out.println("== " + command);
        out.println("   " + explanation);
        Run r = run(args);
        out.print(r.out);
        if (r.code != 0) {
            out.print(r.err);
        }
        out.flush();
    }

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cl = Cli.commandLine();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int code = cl.execute(args);
        return new Run(code, o.toString(), e.toString());
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
