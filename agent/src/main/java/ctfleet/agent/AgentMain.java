package ctfleet.agent;

import ctfleet.agent.procfs.ProcRoot;
import ctfleet.agent.sample.EntryPrivacy;
import ctfleet.agent.sample.Reading;
import ctfleet.agent.sample.Sampler;
import ctfleet.agent.ship.Backoff;
import ctfleet.agent.ship.MemoryOutbox;
import ctfleet.agent.ship.Outbox;
import ctfleet.agent.ship.SampleEncoder;
import ctfleet.agent.ship.Shipper;
import ctfleet.agent.ship.Spool;
import ctfleet.client.ClientSecurityOptions;
import ctfleet.client.StatusText;
import ctfleet.common.Durations;
import ctfleet.common.HostPort;
import ctfleet.common.Version;
import ctfleet.proto.v1.Hello;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code ctfleet agent}: flags to wiring; the work is in procfs, sample and ship. */
@Command(name = "ctfleet agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.VersionInfo.class,
        description = "Reads this host's conntrack table and streams samples to a ctfleet server.")
public final class AgentMain implements Callable<Integer> {
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);
    static final long MIN_SPOOL_BYTES = 1L << 20;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Server to send samples to.")
    String server;

    @Option(names = "--host-id", paramLabel = "NAME", description = "This host's id (default: the hostname).")
    String hostId;

    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc",
            description = "Where procfs is mounted, or a copy of it (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "Time between samples (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--sample", paramLabel = "N", defaultValue = "2000",
            description = "Entry lines read from the head of /proc/net/nf_conntrack per tick (default: ${DEFAULT-VALUE};"
                    + " 0 reads none).")
    int sampleLines;

    @Option(names = "--full-scan-every", paramLabel = "DURATION", defaultValue = "off",
            description = "Read the whole entry table this often, for exact figures (default: ${DEFAULT-VALUE}).")
    String fullScanEvery;

    @Option(names = "--raw-lines", paramLabel = "N", defaultValue = "0",
            description = "Entry lines sent verbatim per sample, for drill-down (default: ${DEFAULT-VALUE}; at most"
                    + " 32). They show clients' and destinations' addresses and ports.")
    int rawLines;

    @Option(names = "--mask-addresses",
            description = "Cut addresses to their network (IPv4 /24, IPv6 /48) in top destinations, top sources and"
                    + " raw lines before they leave this host.")
    boolean maskAddresses;

    @Option(names = "--once", description = "Send one sample, wait for the server's acknowledgement, exit.")
    boolean once;

    @Option(names = "--ack-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "With --once: how long to wait for the acknowledgement (default: ${DEFAULT-VALUE}).")
    String ackTimeout;

    @Option(names = "--spool-dir", paramLabel = "DIR", defaultValue = "ctfleet-agent-spool",
            description = "Where samples wait for the server's acknowledgement, surviving restarts and outages"
                    + " (default: ${DEFAULT-VALUE}, relative to the working directory).")
    Path spoolDir;

    @Option(names = "--spool-max", paramLabel = "SIZE", defaultValue = "64MiB",
            description = "Disk the spool may use; when full the oldest samples are dropped and the count is"
                    + " reported to the server (default: ${DEFAULT-VALUE}).")
    String spoolMax;

    @Option(names = "--print", description = "Print one sample (protobuf text) to stdout and exit; no server needed.")
    boolean print;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file of settings (keys are flag names without dashes); flags override it.")
    Path config;

    @Option(names = "--label", paramLabel = "KEY=VALUE", split = ",",
            description = "Labels for this host (repeatable, or comma-separated).")
    Map<String, String> labels = new LinkedHashMap<>();

    @CommandLine.Mixin
    ClientSecurityOptions security;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        ctfleet.common.Logging.quietClient();
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = commandLine();
        try {
            ctfleet.common.ConfigFile.apply(cl, args);
        } catch (CommandLine.ParameterException e) {
            cl.getErr().println("ctfleet agent: " + e.getMessage());
            return 2;
        }
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AgentMain());
        cl.setExecutionExceptionHandler(ctfleet.common.OneLineErrors.handler("ctfleet agent"));
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration every = parse(interval, "--interval");
        // 0s made the loop spin (thousands of samples a second); past an hour top's rates and the forecast go blind.
        if (every.compareTo(MIN_INTERVAL) < 0 || every.compareTo(MAX_INTERVAL) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--interval must be from 100ms to 1h, got " + interval);
        }
        Duration ackWait = parse(ackTimeout, "--ack-timeout");
        String id = hostId != null ? hostId : InetAddress.getLocalHost().getHostName();
        if (!HOST_ID.matcher(id).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--host-id '" + id + "': use 1 to 253 of A-Z a-z 0-9 . _ -");
        }
        for (var e : labels.entrySet()) {
            // The server would refuse the hello; saying so here makes it a usage error, not a retry loop.
            if (!LABEL_NAME.matcher(e.getKey()).matches() || e.getValue().length() > 255) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--label " + e.getKey() + "=" + e.getValue()
                        + ": KEY must match [A-Za-z_][A-Za-z0-9_]* (at most 63 characters), VALUE at most 255 characters");
            }
        }
        if (sampleLines < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sample must be 0 or more");
        }
        Duration fullScan = fullScanEvery.equals("off") ? Duration.ZERO : parse(fullScanEvery, "--full-scan-every");
        EntryPrivacy privacy;
        try {
            privacy = new EntryPrivacy(rawLines, maskAddresses);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!java.nio.file.Files.isDirectory(procRoot)) {
            // A missing nf_conntrack_count means "conntrack not loaded"; a missing root is a typo, and
            // reporting it as the former would look healthy (exit 0) while measuring nothing.
            throw new CommandLine.ParameterException(spec.commandLine(), "--proc-root " + procRoot + ": "
                    + (java.nio.file.Files.exists(procRoot) ? "not a directory" : "no such directory"));
        }
        Sampler sampler = new Sampler(new ProcRoot(procRoot), Clock.systemUTC(), sampleLines, fullScan, privacy);
        if (print) {
            Reading r = sampler.read();
            out.print(SampleEncoder.encode(r, true));
            out.flush();
            return 0;
        }
        if (server == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server HOST:PORT is required");
        }
        HostPort target = parseHostPort(server);
        Hello hello = Hello.newBuilder()
                .setHostId(id)
                .putAllLabels(labels)
                .setAgentVersion(Version.VERSION)
                .setKernel(sampler.kernel())
                .build();
        long spoolBytes;
        try {
            spoolBytes = ctfleet.common.Sizes.parse(spoolMax);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--spool-max: " + e.getMessage());
        }
        if (spoolBytes < MIN_SPOOL_BYTES) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--spool-max must be at least 1MiB (room for a few hundred samples), got " + spoolMax);
        }
        ManagedChannel channel;
        try {
            channel = security.open(target, msg -> err.println("ctfleet agent: " + msg));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ctfleet-agent-timer");
            t.setDaemon(true);
            return t;
        });
        Consumer<String> log = msg -> {
            err.println("ctfleet agent: " + msg);
            err.flush();
        };
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, new SplittableRandom());
        // --once has nothing to replay after it exits, so it keeps its one sample in memory.
        try (Outbox outbox = once ? new MemoryOutbox(1) : openSpool(spoolBytes);
             Shipper shipper = new Shipper(channel, hello, outbox, timer, backoff, log, (seq, dup) -> { })) {
            if (once) {
                Reading r = sampler.read();
                if (!r.conntrackLoaded()) {
                    err.println("ctfleet agent: conntrack not loaded on this host (no "
                            + procRoot.resolve("sys/net/netfilter/nf_conntrack_count") + "); reporting that");
                }
                long seq = shipper.offer(SampleEncoder.encode(r, true));
                Shipper.Outcome outcome = shipper.awaitOutcome(seq, ackWait);
                if (outcome.refusal() != null) {
                    err.println("ctfleet agent: the server " + target + " refused the sample: " + outcome.refusal());
                    return 1;
                }
                if (!outcome.acknowledged()) {
                    var why = outcome.lastError();
                    err.println("ctfleet agent: sample not acknowledged by " + target + " within "
                            + Durations.format(ackWait) + (why == null ? "" : " (" + StatusText.describe(why) + ")"));
                    return 1;
                }
                var clock = shipper.clockReport();
                out.println("ctfleet agent: sample acknowledged by " + target + (clock != null
                        && Math.abs(clock.getOffsetMillis()) > clock.getAllowedSkewMillis()
                        ? "; this host's clock is " + Durations.offset(clock.getOffsetMillis()) + " the server's, so the"
                        + " server stored the sample at its own time: fix the clock (NTP)" : ""));
                out.flush();
                return 0;
            }
            shipper.startSync().start();
            // A failed tick (unreadable /proc, a full disk under the spool) loses that sample only.
            new AgentLoop(sampler, shipper::offer, e -> log.accept("sample skipped: " + e.getMessage()))
                    .runEvery(every);
            return 0;
        } finally {
            timer.shutdownNow();
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private Outbox openSpool(long maxBytes) throws java.io.IOException {
        try {
            return Spool.open(spoolDir, maxBytes);
        } catch (java.io.IOException e) {
            throw new java.io.IOException("cannot open the spool in " + spoolDir + ": " + e.getMessage()
                    + " (choose another with --spool-dir)", e);
        }
    }

    private Duration parse(String text, String flag) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
        }
    }

    private HostPort parseHostPort(String text) {
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server: " + e.getMessage());
        }
    }

    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ctfleet agent " + Version.VERSION};
        }
    }
}
