package ctfleet.server;

import ctfleet.common.Durations;
import ctfleet.common.HostPort;
import ctfleet.common.Version;
import ctfleet.server.store.Database;
import ctfleet.server.store.Retention;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctfleet server}: flags to wiring, the ready line, and a clean stop on SIGTERM. */
@Command(name = "ctfleet server", mixinStandardHelpOptions = true, versionProvider = ServerMain.VersionInfo.class,
        description = "Receives samples from agents, stores them, and answers fleet queries.")
public final class ServerMain implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7777",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; port 0 picks a free one).")
    String listen;

    @Option(names = "--db", paramLabel = "DIR", defaultValue = "ctfleet-data",
            description = "Directory of the H2 database (default: ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--retain-raw", paramLabel = "DURATION", defaultValue = "48h",
            description = "Keep raw samples this long (default: ${DEFAULT-VALUE}).")
    String retainRaw;

    @Option(names = "--retain-1m", paramLabel = "DURATION", defaultValue = "30d",
            description = "Keep 1-minute rollups this long (default: ${DEFAULT-VALUE}).")
    String retain1m;

    @Option(names = "--retain-1h", paramLabel = "DURATION", defaultValue = "2y",
            description = "Keep 1-hour rollups this long (default: ${DEFAULT-VALUE}).")
    String retain1h;

    @Option(names = "--retain-entries", paramLabel = "DURATION", defaultValue = "7d",
            description = "Keep per-minute entry breakdowns this long (default: ${DEFAULT-VALUE}).")
    String retainEntries;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        ctfleet.common.Logging.quietLibraries();
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HostPort at;
        try {
            at = HostPort.parse(listen);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen: " + e.getMessage());
        }
        Retention retention;
        try {
            retention = new Retention(Durations.parse(retainRaw), Durations.parse(retain1m),
                    Durations.parse(retain1h), Durations.parse(retainEntries));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--retain-*: " + e.getMessage());
        }
        Database database = Database.open(db);
        CtfleetServer server = new CtfleetServer(
                NettyServerBuilder.forAddress(new InetSocketAddress(at.host(), at.port())), database,
                Clock.systemUTC(), retention);
        try {
            server.start();
        } catch (java.io.IOException e) {
            database.close();
            spec.commandLine().getErr().println("ctfleet server: cannot listen on " + at + ": " + rootCause(e));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }, "ctfleet-shutdown"));
        System.out.println("ctfleet server listening on " + new HostPort(at.host(), server.port()));
        System.out.flush();
        server.awaitTermination();
        stopped.await();
        return 0;
    }

    private static String rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ctfleet server " + Version.VERSION};
        }
    }
}
