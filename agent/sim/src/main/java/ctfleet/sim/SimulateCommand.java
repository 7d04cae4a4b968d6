package ctfleet.sim;

import ctfleet.client.ClientSecurityOptions;
import ctfleet.client.ServerAddress;
import ctfleet.common.Durations;
import ctfleet.common.HostPort;
import ctfleet.common.Logging;
import ctfleet.common.Version;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ctfleet simulate}: a fleet of synthetic gateways, each running the real agent pipeline. */
@Command(name = "ctfleet simulate", mixinStandardHelpOptions = true, versionProvider = SimulateCommand.VersionInfo.class,
        description = {"Run N simulated gateways in this JVM, each streaming samples to the server through the "
                + "real agent pipeline, then print samples sent, acknowledged and lost.",
            "Scenarios: mixed (a realistic fleet), flat, diurnal, growth, leak, spike, full, pair."})
public final class SimulateCommand implements Callable<Integer> {
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

    @Option(names = "--server", paramLabel = "HOST:PORT",
            description = "ctfleet server (default: $CTFLEET_SERVER or " + ServerAddress.DEFAULT + ").")
    String server;

    @Mixin
    ClientSecurityOptions security;

    @Option(names = "--hosts", paramLabel = "N", required = true, description = "Simulated hosts.")
    int hosts;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "Simulated time between a host's samples (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "5m",
            description = "Real time to run (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "mixed",
            description = "mixed, flat, diurnal, growth, leak, spike, full or pair (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Same seed, same fleet (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
            description = "Simulated time runs X times faster; the history ends at about now (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--ramp", paramLabel = "DURATION",
            description = "Real time over which the hosts start (connect and say hello); default: one sample period.")
    String ramp;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "30s",
            description = "After the run, how long to wait for outstanding acknowledgements (default: ${DEFAULT-VALUE}).")
    String drain;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Logging.quietLibraries();
        System.exit(commandLine().execute(args));
    }

    /** The command with the CLI's conventions: a usage error prints the usage and exits 2, any other error is one line. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SimulateCommand());
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println((e instanceof UsageError ? "ctfleet simulate: " : "") + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            e.getCommandLine().usage(err);
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler(ctfleet.common.OneLineErrors.handler("ctfleet simulate"));
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        Duration every = duration(interval, "--interval");
        Duration runFor = duration(duration, "--duration");
        Duration drainFor = duration(drain, "--drain");
        if (hosts < 1 || hosts > 100_000) {
            throw usage("--hosts must be from 1 to 100000");
        }
        if (!(speed >= 1) || speed > 1_000_000) {
            throw usage("--speed must be from 1 to 1000000");
        }
        if (every.isZero() || runFor.isZero()) {
            throw usage("--interval and --duration must be more than 0");
        }
        Duration realPeriod = Duration.ofNanos(Math.round(every.toNanos() / speed));
        if (realPeriod.compareTo(Duration.ofMillis(1)) < 0) {
            throw usage("--interval / --speed is " + realPeriod.toNanos() / 1000
                    + " µs of real time between a host's samples; make it at least 1ms");
        }
        Duration rampFor = ramp == null ? realPeriod : duration(ramp, "--ramp");
        List<Scenario> plan = plan();
        HostPort at;
        try {
            at = ServerAddress.resolve(server);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();

        Instant realStart = Instant.now();
        // The run's end counts from here, not from when the agents are ready: had it started later,
        // the compressed clock would overshoot now by speed x the start-up time.
        long startNanos = System.nanoTime();
        Instant simStart = ScaledClock.startFor(realStart, runFor, speed);
        ScaledClock clock = new ScaledClock(simStart, speed);
        out.printf("ctfleet simulate: %d hosts (%s) against %s, a sample every %s of simulated time"
                + " (every %s real at %sx) for %s%n", hosts, describe(plan), at, Durations.format(every),
                Durations.format(realPeriod), trim(speed), Durations.format(runFor));
        out.printf("simulated time %s .. %s%n", simStart.truncatedTo(ChronoUnit.SECONDS),
                simStart.plusMillis(Math.round(runFor.toMillis() * speed)).truncatedTo(ChronoUnit.SECONDS));
        out.flush();

        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C ends the run early but still drains and prints the summary.
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                finished.await(drainFor.toSeconds() + 15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ctfleet-simulate-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter err = spec.commandLine().getErr();
        ThrottledLog log = new ThrottledLog(line -> {
            err.println("ctfleet simulate: " + line);
            err.flush();
        }, Duration.ofSeconds(5));
        // The flags' credentials on every channel: a simulated fleet can load a server that requires TLS.
        Supplier<ManagedChannel> channels = () -> {
            try {
                return security.open(at, log);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        };
        try (SimulatedFleet fleet = new SimulatedFleet(channels, plan, seed, simStart, clock, log)) {
            fleet.start(realPeriod, rampFor, simStart.plusMillis(Math.round(runFor.toMillis() * speed)));
            long endNanos = startNanos + runFor.toNanos();
            for (long left = endNanos - System.nanoTime(); left > 0; left = endNanos - System.nanoTime()) {
                if (stopRequested.await(Math.min(left, PROGRESS_EVERY.toNanos()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                if (endNanos - System.nanoTime() > 0) {
                    FleetTally t = fleet.tally();
                    out.printf("  %s  sent %d  acknowledged %d  simulated %s%n",
                            Durations.format(Duration.ofSeconds((System.nanoTime() - startNanos) / 1_000_000_000)),
                            t.sent(), t.acknowledged(), clock.instant().truncatedTo(ChronoUnit.SECONDS));
                    out.flush();
                }
            }
            fleet.stop();
            boolean settled = fleet.awaitSettled(drainFor);
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            if (!settled) {
                err.println("ctfleet simulate: not every sample was acknowledged within --drain " + Durations.format(drainFor));
                err.flush();
            }
            return report(fleet.tally(), seconds, out);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is what is running us down; it is waiting for `finished`.
            }
        }
    }

    /** Prints the summary in `name  value` lines (the load test reads them); 1 when a sample was lost or none sent. */
    static int report(FleetTally t, double seconds, PrintWriter out) {
        long lost = t.sent() - t.acknowledged();
        out.printf("samples sent          %d%n", t.sent());
        out.printf("samples acknowledged  %d%n", t.acknowledged());
        out.printf("samples lost          %d%n", lost);
        out.printf("samples rejected      %d%n", t.rejected());
        out.printf(Locale.ROOT, "ack rate              %.1f samples/s%n", t.acknowledged() / seconds);
        out.printf(Locale.ROOT, "ack latency p50       %.2f ms%n", t.ackLatency().percentile(0.50).toNanos() / 1e6);
        out.printf(Locale.ROOT, "ack latency p99       %.2f ms%n", t.ackLatency().percentile(0.99).toNanos() / 1e6);
        out.flush();
        return lost == 0 && t.rejected() == 0 && t.sent() > 0 ? 0 : 1;
    }

    List<Scenario> plan() {
        String s = scenario.toLowerCase(Locale.ROOT);
        if (s.equals("mixed")) {
            return FleetMix.mixed(hosts, seed);
        }
        for (Scenario one : Scenario.values()) {
            if (one.label().equals(s)) {
                return FleetMix.only(one, hosts);
            }
        }
        throw usage("--scenario '" + scenario + "': use mixed, "
                + Arrays.stream(Scenario.values()).map(Scenario::label).collect(Collectors.joining(", ")));
    }

    static String describe(List<Scenario> plan) {
        Map<Scenario, Integer> n = new EnumMap<>(Scenario.class);
        plan.forEach(s -> n.merge(s, 1, Integer::sum));
        return n.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().label()).collect(Collectors.joining(", "));
    }

    private Duration duration(String text, String flag) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage(flag + ": " + e.getMessage());
        }
    }

    /** picocli hands a ParameterException thrown here to its usage handler: the message, the usage, exit 2. */
    private UsageError usage(String message) {
        return new UsageError(spec.commandLine(), message);
    }

    /** A value the parser accepted but the command cannot use (said as "ctfleet simulate: ..."). */
    static final class UsageError extends CommandLine.ParameterException {
        UsageError(CommandLine cl, String message) {
            super(cl, message);
        }
    }

    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ctfleet simulate " + Version.VERSION};
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
