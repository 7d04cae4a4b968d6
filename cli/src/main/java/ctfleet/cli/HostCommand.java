package ctfleet.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ctfleet.cli.render.Format;
import ctfleet.cli.render.Json;
import ctfleet.cli.render.Table;
import ctfleet.proto.v1.EndpointEstimate;
import ctfleet.proto.v1.HostDetail;
import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.HostRequest;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.StateEstimate;
import ctfleet.proto.v1.TimeoutAdvice;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Everything known about one host: figures, rates, what fills its table, advice.")
public final class HostCommand implements Callable<Integer> {
    @Mixin
    ServerOption server;

    @Parameters(paramLabel = "HOST", description = "The host id.")
    String host;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "1h",
            description = "History the rates and trend look at (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--horizon", paramLabel = "DURATION", defaultValue = "24h",
            description = "p_full is the chance of reaching max within this, at most 30d (default: ${DEFAULT-VALUE}).")
    String horizon;

    @Option(names = "--format", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (format == OutputFormat.csv) {
            throw new UsageError("--format: host supports table or json");
        }
        long w = Cli.range(window, "--window");
        long h = Cli.horizon(horizon);
        Cli.hostId(host);
        ManagedChannel ch = server.open();
        try {
            HostDetail d = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .host(HostRequest.newBuilder().setHost(host).setWindowSeconds(w).setHorizonSeconds(h).build());
            PrintWriter out = spec.commandLine().getOut();
            if (format == OutputFormat.json) {
                Json.print(out, json(d));
            } else {
                table(d, out, horizon);
            }
            return 0;
        } finally {
            ServerOption.close(ch);
        }
    }

    static JsonObject json(HostDetail d) {
        HostRank r = d.getRank();
        JsonObject o = TopCommand.json(r);
        o.remove("rank");
        o.addProperty("rank", r.getRank());
        JsonObject stats = new JsonObject();
        new TreeMap<>(d.getStatsMap()).forEach(stats::addProperty);
        o.add("stats", stats);
        JsonObject rates = new JsonObject();
        new TreeMap<>(d.getRatesMap()).forEach(rates::addProperty);
        o.add("rates", rates);
        JsonArray states = new JsonArray();
        for (StateEstimate s : d.getStatesList()) {
            JsonObject j = new JsonObject();
            j.addProperty("family", s.getFamily());
            j.addProperty("protocol", s.getProtocol());
            j.addProperty("state", s.getState());
            j.addProperty("estimated", s.getEstimated());
            states.add(j);
        }
        o.add("states", states);
        o.add("top_destinations", endpoints(d.getTopDestinationsList()));
        o.add("top_sources", endpoints(d.getTopSourcesList()));
        JsonObject sample = new JsonObject();
        sample.addProperty("size", d.getSampleSize());
        sample.addProperty("parse_errors", d.getSampleParseErrors());
        o.add("sample", sample);
        o.addProperty("assured_estimated", d.getAssuredEstimated());
        o.addProperty("unreplied_estimated", d.getUnrepliedEstimated());
        o.addProperty("bytes_per_entry", d.getBytesPerEntry());
        o.addProperty("bytes_per_entry_estimated", d.getBytesPerEntryEstimated());
        o.add("host_memory_bytes", d.hasHostMemoryBytes()
                ? new com.google.gson.JsonPrimitive(d.getHostMemoryBytes()) : com.google.gson.JsonNull.INSTANCE);
        o.addProperty("kernel", d.getKernel());
        JsonObject timeouts = new JsonObject();
        new TreeMap<>(d.getTimeoutsMap()).forEach(timeouts::addProperty);
        o.add("timeouts", timeouts);
        JsonArray advice = new JsonArray();
        for (TimeoutAdvice a : d.getAdviceList()) {
            JsonObject j = new JsonObject();
            j.addProperty("timeout", a.getTimeout());
            j.addProperty("current_seconds", a.getCurrentSeconds());
            j.addProperty("suggested_seconds", a.getSuggestedSeconds());
            j.addProperty("frees_entries", a.getFreesEntries());
            j.addProperty("reason", a.getReason());
            j.addProperty("command", a.getCommand());
            advice.add(j);
        }
        o.add("advice", advice);
        if (d.hasCapacity()) {
            o.add("capacity", CapacityCommand.json(d.getCapacity()));
        }
        o.addProperty("dropped_samples", d.getDroppedSamples());
        o.add("clock_offset_seconds", d.hasClockOffsetMillis()
                ? new com.google.gson.JsonPrimitive(d.getClockOffsetMillis() / 1000.0) : com.google.gson.JsonNull.INSTANCE);
        o.addProperty("conflicts", d.getConflicts());
        JsonArray raw = new JsonArray();
        d.getRawEntriesList().forEach(raw::add);
        o.add("raw_entries", raw);
        return o;
    }

    private static JsonArray endpoints(List<EndpointEstimate> list) {
        JsonArray a = new JsonArray();
        for (EndpointEstimate e : list) {
            JsonObject j = new JsonObject();
            j.addProperty("address", e.getAddress());
            j.addProperty("port", e.getPort());
            j.addProperty("protocol", e.getProtocol());
            j.addProperty("estimated", e.getEstimated());
            a.add(j);
        }
        return a;
    }

    private static void table(HostDetail d, PrintWriter out, String horizon) {
        HostRank r = d.getRank();
        out.printf("%s  (rank %d, %s)  kernel %s%n", r.getHost(), r.getRank(), r.getStatus(),
                d.getKernel().isEmpty() ? "?" : d.getKernel());
        out.printf("  entries %d of %s%s, buckets %s, last seen %s%n", r.getCount(),
                r.getMax() == 0 ? "no limit" : String.valueOf(r.getMax()),
                r.hasFill() ? " (" + Format.percent(r.getFill()) + ")" : "",
                r.getBuckets() == 0 ? "unknown" : String.valueOf(r.getBuckets()), // 0: an imported host
                Format.isoUtc(r.getLastSeenMillis()));
        String eta = Format.etaRange(r.hasEtaSeconds(), r.getEtaSeconds(), r.hasEtaLowSeconds(), r.getEtaLowSeconds(),
                r.hasEtaHighSeconds(), r.getEtaHighSeconds(), r.getCount(), r.getMax());
        if (r.hasFill()) {
            out.printf("  %s chance of full within %s; %s%n", Format.probability(r.getPFull()), horizon,
                    switch (eta) {
                        case "-" -> "not expected full within 7 days";
                        case "full" -> "full now";
                        case "any time" -> "could fill any time";
                        default -> "full in " + eta + " (median, 10-90 %)";
                    });
        }
        if (!r.getReason().isEmpty()) {
            out.printf("  why: %s%n", r.getReason());
        }
        out.printf("  drops %s, early drops %s, insert failures %s%n",
                Format.rate(r.getDropsPerSecond()), Format.rate(r.getEarlyDropsPerSecond()),
                Format.rate(r.getInsertFailedPerSecond()));
        // 0: never reported (an imported host); the capacity plan then takes 320.
        out.printf("  memory per entry %s; host memory %s%n", d.getBytesPerEntry() == 0 ? "unknown"
                : d.getBytesPerEntry() + " bytes" + (d.getBytesPerEntryEstimated() ? " (estimate: slabinfo not readable)"
                        : " (slabinfo)"),
                d.hasHostMemoryBytes() ? CapacityCommand.bytes(d.getHostMemoryBytes()) + " (MemTotal)" : "unknown");
        if (r.getStatus().equals("clock-skew")) {
            out.printf("  its clock is %s the server's: samples are stored at the server's time; fix the clock (NTP)%n",
                    ctfleet.common.Durations.offset(d.getClockOffsetMillis()));
        }
        if (d.getDroppedSamples() > 0) {
            out.printf("  the agent's spool dropped %d samples (out of room, or lost to a damaged spool file)%n", d.getDroppedSamples());
        }
        if (d.getSampleSize() > 0) {
            out.printf("%nWhat fills the table (estimated from %d sampled entries, %d unparsable):%n",
                    d.getSampleSize(), d.getSampleParseErrors());
            Table t = new Table("FAMILY", "PROTOCOL", "STATE", "ENTRIES>", "SHARE>");
            long total = Math.max(1, r.getCount());
            for (StateEstimate s : d.getStatesList()) {
                t.row(s.getFamily(), s.getProtocol(), s.getState().isEmpty() ? "-" : s.getState(), s.getEstimated(),
                        Format.percent((double) s.getEstimated() / total));
            }
            t.print(out);
            endpointTable(out, "Top destinations:", d.getTopDestinationsList());
            endpointTable(out, "Top sources:", d.getTopSourcesList());
        }
        if (!d.getRatesMap().isEmpty()) {
            out.println();
            out.println("Counter rates (drop, early_drop, insert_failed, invalid over the window; the rest over"
                    + " the last sampling interval):");
            Table t = new Table("COUNTER", "TOTAL>", "PER SECOND>");
            for (var e : new TreeMap<>(d.getRatesMap()).entrySet()) {
                t.row(e.getKey(), d.getStatsMap().getOrDefault(e.getKey(), 0L), String.format("%.3f", e.getValue()));
            }
            t.print(out);
        }
        if (!d.getTimeoutsMap().isEmpty()) {
            out.println();
            out.print("Timeouts:");
            new TreeMap<>(d.getTimeoutsMap()).forEach((k, v) -> out.print(" " + k + "=" + v));
            out.println();
        }
        if (d.hasCapacity()) {
            out.println();
            out.println("Capacity advice:");
            CapacityCommand.describe(d.getCapacity(), out);
        }
        for (TimeoutAdvice a : d.getAdviceList()) {
            out.println();
            out.println("Timeout advice: " + a.getReason());
            out.println("  " + a.getCommand());
        }
        out.flush();
    }

    private static void endpointTable(PrintWriter out, String title, List<EndpointEstimate> list) {
        if (list.isEmpty()) {
            return;
        }
        out.println();
        out.println(title);
        Table t = new Table("ADDRESS", "PORT>", "PROTOCOL", "ENTRIES>");
        for (EndpointEstimate e : list) {
            t.row(e.getAddress(), e.getPort() == 0 ? "-" : e.getPort(), e.getProtocol(), e.getEstimated());
        }
        t.print(out);
    }
}
