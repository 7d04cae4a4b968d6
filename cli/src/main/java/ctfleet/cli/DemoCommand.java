package ctfleet.cli;

import ctfleet.agent.AgentMain;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ctfleet demo}: a throw-away server, this machine's real agent, and the ranking, in one go. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a throw-away server, sample this machine, print the ranking, clean up.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc",
            description = "procfs to sample (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "--keep", description = "Keep the demo database directory instead of deleting it.")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("ctfleet-demo-");
        try {
            Database db = Database.open(dir.resolve("db"));
            try (CtfleetServer server = new CtfleetServer(
                    NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), db, Clock.systemUTC())) {
                server.start();
                String addr = "127.0.0.1:" + server.port();
                out.println("== A throw-away ctfleet server is listening on " + addr + " (database in " + dir + ").");
                if (!Files.exists(procRoot.resolve("sys/net/netfilter/nf_conntrack_count"))) {
                    out.println("== conntrack is NOT loaded on this machine (no "
                            + procRoot.resolve("sys/net/netfilter/nf_conntrack_count")
                            + "): the agent will report it as 'no-conntrack'.");
                }
                out.println("== Running the agent once against " + procRoot + " ...");
                out.flush();
                int rc = AgentMain.run("--server", addr, "--proc-root", procRoot.toString(), "--once");
                if (rc != 0) {
                    out.println("== the agent failed (exit " + rc + ")");
                    return 1;
                }
                out.println("== ctfleet top --server " + addr + "  (hosts nearest to table-full first):");
                ManagedChannel ch = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                        io.grpc.InsecureChannelCredentials.create()).build();
                try {
                    TopCommand top = new TopCommand();
                    top.format = OutputFormat.table;
                    top.render(QueryGrpc.newBlockingStub(ch).top(TopRequest.getDefaultInstance()), out);
                } finally {
                    ServerOption.close(ch);
                }
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
