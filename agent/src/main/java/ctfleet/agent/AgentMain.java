package ctfleet.agent;

import ctfleet.agent.procfs.ProcRoot;
import ctfleet.agent.sample.Reading;
import ctfleet.agent.sample.Sampler;
import ctfleet.agent.ship.ClientSecurityOptions;
import ctfleet.agent.ship.SampleEncoder;
import ctfleet.agent.ship.StatusText;
import ctfleet.agent.ship.Shipper;
import ctfleet.common.Durations;
import ctfleet.common.HostPort;
import ctfleet.common.Version;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctfleet agent}: flags to wiring; the work is in procfs, sample and ship. */
@Command(name = "ctfleet agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.VersionInfo.class,
        description = "Reads this host's conntrack table and streams samples to a ctfleet server.")
public final class AgentMain implements Callable<Integer> {
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");

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

    @Option(names = "--once", description = "Send one sample, wait for the server's acknowledgement, exit.")
    boolean once;

    @Option(names = "--ack-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "With --once: how long to wait for the acknowledgement (default: ${DEFAULT-VALUE}).")
    String ackTimeout;

    @Option(names = "--print", description = "Print one sample (protobuf text) to stdout and exit; no server needed.")
    boolean print;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label for this host (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @CommandLine.Mixin
    ClientSecurityOptions security;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AgentMain());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("ctfleet agent: " + e.getMessage());
            return 1;
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration every = parse(interval, "--interval");
        Duration ackWait = parse(ackTimeout, "--ack-timeout");
        String id = hostId != null ? hostId : InetAddress.getLocalHost().getHostName();
        if (!HOST_ID.matcher(id).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--host-id '" + id + "': use 1 to 253 of A-Z a-z 0-9 . _ -");
        }
        Sampler sampler = new Sampler(new ProcRoot(procRoot), Clock.systemUTC());
        if (print) {
            Reading r = sampler.read();
            out.print(SampleEncoder.encode(r, 1, true));
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
        ManagedChannel channel;
        try {
            channel = security.open(target, msg -> err.println("ctfleet agent: " + msg));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Shipper shipper = new Shipper(channel, hello, 10_000, msg -> err.println("ctfleet agent: " + msg))) {
            if (once) {
                Reading r = sampler.read();
                if (!r.conntrackLoaded()) {
                    err.println("ctfleet agent: conntrack not loaded on this host (no "
                            + procRoot.resolve("sys/net/netfilter/nf_conntrack_count") + "); reporting that");
                }
                Sample s = SampleEncoder.encode(r, 1, true);
                shipper.offer(s);
                if (!shipper.awaitAck(s.getSeq(), ackWait)) {
                    var why = shipper.lastError();
                    err.println("ctfleet agent: sample not acknowledged by " + target + " within "
                            + Durations.format(ackWait) + (why == null ? "" : " (" + StatusText.describe(why) + ")"));
                    return 1;
                }
                out.println("ctfleet agent: sample acknowledged by " + target);
                out.flush();
                return 0;
            }
            return loop(sampler, shipper, every, err);
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private int loop(Sampler sampler, Shipper shipper, Duration every, PrintWriter err) throws InterruptedException {
        long seq = 0;
        boolean withTimeouts = true;
        Map<String, Long> lastTimeouts = Map.of();
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Reading r = sampler.read();
                boolean changed = !r.timeouts().equals(lastTimeouts);
                shipper.offer(SampleEncoder.encode(r, ++seq, withTimeouts || changed));
                lastTimeouts = r.timeouts();
                withTimeouts = false;
            } catch (java.io.IOException e) {
                err.println("ctfleet agent: reading " + procRoot + " failed: " + e.getMessage());
            }
            next += every.toNanos();
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            } else {
                next = System.nanoTime();
            }
        }
        return 0;
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
