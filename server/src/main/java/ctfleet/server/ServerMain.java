package ctfleet.server;

import ctfleet.common.Durations;
import ctfleet.common.HostPort;
import ctfleet.common.Version;
import ctfleet.server.auth.SecureListener;
import ctfleet.server.auth.ServerSecurityOptions;
import ctfleet.server.store.Database;
import ctfleet.server.store.DatabaseRefused;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import ctfleet.server.store.Retention;
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
    /** The longest any retention may be: the CLI refuses to ask for more history than this, before calling. */
    static final java.time.Duration LONGEST_RETENTION = java.time.Duration.ofDays(3650);

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7777",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; port 0 picks a free one).")
    String listen;

    @Option(names = "--db", paramLabel = "DIR", defaultValue = "ctfleet-data",
            description = "Directory of the H2 database (default: ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--backup-dir", paramLabel = "DIR",
            description = "Where the server makes backups and keeps its own copies (default: backups inside --db).")
    Path backupDir;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
            description = "Serve Prometheus /metrics here (default: off).")
    String metricsListen;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file of settings (keys are flag names without dashes); flags override it.")
    Path config;
    @CommandLine.Mixin
    ServerSecurityOptions security;

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
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new ServerMain());
        try {
            ctfleet.common.ConfigFile.apply(cl, args);
        } catch (CommandLine.ParameterException e) {
            cl.getErr().println("ctfleet server: " + e.getMessage());
            return 2;
        }
        return cl.execute(args);
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
        if (retention.hour().compareTo(LONGEST_RETENTION) > 0 || retention.entries().compareTo(LONGEST_RETENTION) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--retain-*: at most 3650d (10y): the CLI asks for no more history than that");
        }
        HostPort metricsAt = null;
        if (metricsListen != null) {
            try {
                metricsAt = HostPort.parse(metricsListen);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-listen: " + e.getMessage());
            }
        }
        var err = spec.commandLine().getErr();
        SecureListener listener;
        try {
            listener = security.listen(new InetSocketAddress(at.host(), at.port()),
                    msg -> err.println("ctfleet server: " + msg));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        listener.notices().forEach(n -> err.println("ctfleet server: " + n));
        err.flush();
        Database database;
        try {
            database = Database.open(db);
        } catch (DatabaseRefused e) {
            err.println("ctfleet server: " + e.getMessage());
            err.flush();
            return DatabaseRefused.EXIT_STATUS;
        } catch (java.io.IOException e) {
            err.println("ctfleet server: " + e.getMessage());
            err.flush();
            return 1;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        CtfleetServer server = new CtfleetServer(listener.builder(), database, Clock.systemUTC(), listener.guard(),
                registry, retention, backupDir != null ? backupDir : CtfleetServer.defaultBackupDir(database));
        try {
            server.start();
        } catch (java.io.IOException e) {
            database.close();
            spec.commandLine().getErr().println("ctfleet server: cannot listen on " + at + ": " + rootCause(e));
            return 1;
        }
        HTTPServer metrics = null;
        if (metricsAt != null) {
            try {
                metrics = HTTPServer.builder().hostname(metricsAt.host()).port(metricsAt.port()).registry(registry)
                        .buildAndStart();
            } catch (java.io.IOException e) {
                server.close();
                spec.commandLine().getErr().println("ctfleet server: cannot serve metrics on " + metricsAt + ": "
                        + rootCause(e));
                return 1;
            }
        }
        HTTPServer metricsServer = metrics;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (metricsServer != null) {
                    metricsServer.close();
                }
                server.close();
                listener.resources().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // only file watchers are left to stop, and the process is ending
            } finally {
                stopped.countDown();
            }
        }, "ctfleet-shutdown"));
        if (metrics != null) {
            System.err.println("ctfleet metrics on http://" + new HostPort(metricsAt.host(), metrics.getPort())
                    + "/metrics");
        }
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
