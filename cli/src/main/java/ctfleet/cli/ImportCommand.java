package ctfleet.cli;

import ctfleet.cli.importer.ImportPlan;
import ctfleet.cli.importer.Importer;
import ctfleet.cli.importer.NodeExporterMapping;
import ctfleet.cli.importer.Progress;
import ctfleet.cli.importer.PromClient;
import ctfleet.cli.importer.PromError;
import ctfleet.cli.render.Format;
import ctfleet.common.Durations;
import ctfleet.proto.v1.ImportGrpc;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ctfleet import}: node_exporter's conntrack history from Prometheus, stored as ctfleet history. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import conntrack history from Prometheus (node_exporter's node_nf_conntrack_* series).",
            "Idempotent: importing a range again stores nothing new, and live agent data is never duplicated."})
public final class ImportCommand implements Callable<Integer> {
    @Mixin
    ServerOption server;

    @Option(names = "--prometheus", paramLabel = "URL", required = true,
            description = "Prometheus base URL, e.g. http://prometheus:9090")
    String prometheus;

    @Option(names = "--since", paramLabel = "DURATION|TIME", defaultValue = "30d",
            description = "Start: how long ago (e.g. 30d) or an RFC 3339 time (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--until", paramLabel = "now|DURATION|TIME", defaultValue = "now",
            description = "End: now, how long ago, or an RFC 3339 time (default: ${DEFAULT-VALUE}).")
    String until;

    @Option(names = "--step", paramLabel = "DURATION", defaultValue = "1m",
            description = "Resolution of the imported history, whole seconds (default: ${DEFAULT-VALUE}).")
    String step;

    @Option(names = "--host-label", paramLabel = "LABEL", defaultValue = "instance",
            description = "Prometheus label naming the host; a :port suffix is stripped (default: ${DEFAULT-VALUE}).")
    String hostLabel;

    @Option(names = "--match", paramLabel = "SELECTOR", defaultValue = "",
            description = "Only series matching this label selector, e.g. '{job=\"node\"}'.")
    String match;

    @Option(names = "--max-points", paramLabel = "N", defaultValue = "1000000", hidden = true,
            description = "Points per query_range call (default: ${DEFAULT-VALUE}).")
    long maxPoints;

    @Spec
    CommandSpec spec;

    // Prometheus may still be ingesting the newest scrapes: a step this close to now could read
    // differently on a second run and show up as a conflict instead of a duplicate.
    static final Duration SETTLE = Duration.ofMinutes(2);

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        Duration stepLength = Cli.duration(step, "--step");
        if (stepLength.toMillis() < 1000 || stepLength.toMillis() % 1000 != 0) {
            throw new UsageError("--step must be whole seconds, at least 1s");
        }
        if (stepLength.toMillis() > 3_600_000) {
            throw new UsageError("--step must be at most 1h: coarser history cannot show a trend");
        }
        Instant end = "now".equals(until.strip()) ? now.minus(SETTLE) : when(until, "--until", now);
        Instant start = when(since, "--since", now);
        if (!start.isBefore(end)) {
            throw new UsageError("--since must be before --until");
        }
        if (hostLabel.isBlank() || !hostLabel.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new UsageError("--host-label: '" + hostLabel + "' is not a Prometheus label name");
        }
        try {
            NodeExporterMapping.selector(match, hostLabel, List.of());
        } catch (IllegalArgumentException e) {
            throw new UsageError("--match: " + e.getMessage());
        }
        if (maxPoints < ImportPlan.MAX_STEPS) {
            throw new UsageError("--max-points must be at least " + ImportPlan.MAX_STEPS);
        }

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PromClient prom = new PromClient(prometheus, Duration.ofMinutes(5));
        ManagedChannel ch = server.open();
        try {
            Progress progress = new Progress(System.err, System.console() != null, System::nanoTime);
            Importer.Summary s = new Importer(prom, ImportGrpc.newStub(ch), progress).run(new Importer.Options(
                    hostLabel, match, start.toEpochMilli(), end.toEpochMilli(), stepLength.toMillis(), maxPoints));
            summary(s, prom.url(), Durations.format(stepLength), out, err);
            return 0;
        } catch (PromError e) {
            err.println("ctfleet import: " + e.getMessage());
            return 1;
        } catch (Importer.Failed e) {
            err.println("ctfleet import: " + e.getMessage());
            return 1;
        } finally {
            ServerOption.close(ch);
        }
    }

    static Instant when(String text, String flag, Instant now) {
        String t = text.strip();
        if (t.equals("now")) {
            return now;
        }
        if (t.contains("T")) {
            Instant at;
            try {
                at = Instant.parse(t);
            } catch (DateTimeParseException e) {
                throw new UsageError(flag + ": '" + text + "' is not an RFC 3339 time such as 2024-05-01T00:00:00Z");
            }
            // The same bounds as a span (Cli.range): Prometheus has nothing ahead of now, and no server keeps
            // more than 3650d, so older history would be deleted by retention as it arrives.
            if (at.isAfter(now)) {
                throw new UsageError(flag + " " + t + " is in the future");
            }
            if (at.isBefore(now.minus(Cli.MAX_RANGE))) {
                throw new UsageError(flag + " " + t + " is more than 3650d (10y) ago: no server keeps more history");
            }
            return at;
        }
        return now.minusSeconds(Cli.range(t, flag));
    }

    private static void summary(Importer.Summary s, String url, String step, PrintWriter out, PrintWriter err) {
        double secs = s.elapsedNanos() / 1e9;
        out.printf("imported %d hosts from %s, %s to %s at %s steps, in %.1f s (%,.0f samples/s, %d queries)%n",
                s.hosts(), url, Format.isoUtc(s.startMillis()), Format.isoUtc(s.endMillis()), step, secs,
                secs > 0 ? s.samples() / secs : 0.0, s.queries());
        out.printf("  %,d stored, %,d already stored, %,d covered by live agent data, %,d conflicting, %,d invalid%n",
                s.stored(), s.duplicate(), s.coveredByLive(), s.conflict(), s.invalid());
        if (s.incomplete() + s.notFinite() + s.negative() > 0) {
            out.printf("  %,d steps skipped without both an entries and a limit value, %,d values not finite,"
                    + " %,d negative counter values left out%n", s.incomplete(), s.notFinite(), s.negative());
        }
        if (s.splits() > 0) {
            out.printf("  Prometheus' query limits made %d queries split into smaller ones%n", s.splits());
        }
        if (!s.sharedHosts().isEmpty()) {
            out.printf("  %,d hosts skipped: their --host-label value is shared by several targets%n",
                    s.sharedHosts().size());
        }
        out.flush();
        for (String shared : s.sharedHosts()) {
            err.println("ctfleet import: skipped host " + shared + "; choose a --host-label that names one machine");
        }
        if (!s.skippedHosts().isEmpty()) {
            err.println("ctfleet import: skipped " + s.skippedHosts().size() + " host label values: "
                    + String.join("; ", s.skippedHosts().subList(0, Math.min(5, s.skippedHosts().size())))
                    + (s.skippedHosts().size() > 5 ? "; ..." : ""));
        }
        if (s.conflict() > 0) {
            err.println("ctfleet import: " + s.conflict() + " samples differ from what the server already holds for"
                    + " the same host and time; the stored values were kept");
        }
        if (s.invalid() > 0) {
            err.println("ctfleet import: " + s.invalid() + " samples refused by the server, first: " + s.firstInvalid());
        }
        err.flush();
    }
}
