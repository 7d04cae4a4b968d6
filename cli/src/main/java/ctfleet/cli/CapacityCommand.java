package ctfleet.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import ctfleet.cli.render.Csv;
import ctfleet.cli.render.Format;
import ctfleet.cli.render.Json;
import ctfleet.cli.render.Table;
import ctfleet.proto.v1.CapacityPlan;
import ctfleet.proto.v1.CapacityRequest;
import ctfleet.proto.v1.CapacityResponse;
import ctfleet.proto.v1.QueryGrpc;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = "What to set nf_conntrack_max and hashsize to, per host, and the memory it costs.")
public final class CapacityCommand implements Callable<Integer> {
    @Mixin
    ServerOption server;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "30d",
            description = "History to find the peak and trend in (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--horizon", paramLabel = "DURATION", defaultValue = "30d",
            description = "How far ahead to plan (default: ${DEFAULT-VALUE}).")
    String horizon;

    @Option(names = "--headroom", paramLabel = "FACTOR", defaultValue = "1.5",
            description = "Multiplier over the projected peak (default: ${DEFAULT-VALUE}).")
    double headroom;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Only hosts with this label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--format", defaultValue = "table", description = "table, json or csv (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!(headroom >= 1.0) || headroom > 100) {
            throw new UsageError("--headroom must be from 1.0 to 100 (1.5 means 50% above the projected peak)");
        }
        CapacityRequest req = CapacityRequest.newBuilder()
                .setWindowSeconds(Cli.range(window, "--window"))
                .setHorizonSeconds(Cli.range(horizon, "--horizon"))
                .setHeadroom(headroom)
                .putAllLabels(Cli.labels(labels))
                .build();
        ManagedChannel ch = server.open();
        try {
            CapacityResponse resp = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).capacity(req);
            PrintWriter out = spec.commandLine().getOut();
            switch (format) {
                case json -> Json.print(out, json(resp));
                case csv -> csv(resp, out);
                default -> table(resp, out);
            }
            return 0;
        } finally {
            ServerOption.close(ch);
        }
    }

    static JsonObject json(CapacityResponse resp) {
        JsonObject o = new JsonObject();
        JsonArray hosts = new JsonArray();
        resp.getHostsList().forEach(p -> hosts.add(json(p)));
        o.add("hosts", hosts);
        o.addProperty("total_memory_bytes", resp.getTotalMemoryBytes());
        return o;
    }

    static JsonObject json(CapacityPlan p) {
        JsonObject o = new JsonObject();
        o.addProperty("host", p.getHost());
        o.addProperty("current_max", p.getCurrentMax());
        o.addProperty("peak", p.getPeak());
        o.addProperty("growth_per_day", p.getGrowthPerDay());
        o.add("full_at", p.hasFullAtMillis() ? new JsonPrimitive(Format.isoUtc(p.getFullAtMillis())) : JsonNull.INSTANCE);
        o.addProperty("recommended_max", p.getRecommendedMax());
        o.addProperty("recommended_buckets", p.getRecommendedBuckets());
        o.addProperty("memory_bytes", p.getMemoryBytes());
        o.addProperty("bytes_per_entry", p.getBytesPerEntry());
        o.addProperty("bytes_per_entry_estimated", p.getBytesPerEntryEstimated());
        JsonArray commands = new JsonArray();
        p.getCommandsList().forEach(commands::add);
        o.add("commands", commands);
        o.addProperty("note", p.getNote());
        return o;
    }

    private static void table(CapacityResponse resp, PrintWriter out) {
        if (resp.getHostsCount() == 0) {
            out.println("no hosts have reported yet");
            out.flush();
            return;
        }
        Table t = new Table("HOST", "PEAK>", "GROWTH/DAY>", "FULL AT", "MAX NOW>", "RECOMMENDED MAX>",
                "BUCKETS>", "MEMORY>");
        for (CapacityPlan p : resp.getHostsList()) {
            t.row(p.getHost(), p.getPeak(), String.format("%+.0f", p.getGrowthPerDay()),
                    p.hasFullAtMillis() ? Format.isoUtc(p.getFullAtMillis()) : "-",
                    p.getCurrentMax() == 0 ? "unlimited" : p.getCurrentMax(), p.getRecommendedMax(),
                    p.getRecommendedBuckets(), bytes(p.getMemoryBytes()));
        }
        t.print(out);
        out.println();
        out.println("Fleet total to reserve: " + bytes(resp.getTotalMemoryBytes()));
        out.println("Run `ctfleet capacity --format json` (or `ctfleet host NAME`) for the exact commands per host.");
        out.flush();
    }

    static void describe(CapacityPlan p, PrintWriter out) {
        out.printf("  peak %d, growth %+.0f/day, full %s%n", p.getPeak(), p.getGrowthPerDay(),
                p.hasFullAtMillis() ? "at " + Format.isoUtc(p.getFullAtMillis()) : "never at the current trend");
        out.printf("  recommended nf_conntrack_max %d, hashsize %d, costing %s of kernel memory%n",
                p.getRecommendedMax(), p.getRecommendedBuckets(), bytes(p.getMemoryBytes()));
        if (!p.getNote().isEmpty()) {
            out.println("  " + p.getNote());
        }
        for (String c : p.getCommandsList()) {
            out.println("    " + c);
        }
    }

    private static void csv(CapacityResponse resp, PrintWriter out) {
        Csv.row(out, List.of("host", "current_max", "peak", "growth_per_day", "full_at", "recommended_max",
                "recommended_buckets", "memory_bytes", "bytes_per_entry"));
        for (CapacityPlan p : resp.getHostsList()) {
            Csv.row(out, Arrays.asList(p.getHost(), p.getCurrentMax(), p.getPeak(), p.getGrowthPerDay(),
                    p.hasFullAtMillis() ? Format.isoUtc(p.getFullAtMillis()) : null, p.getRecommendedMax(),
                    p.getRecommendedBuckets(), p.getMemoryBytes(), p.getBytesPerEntry()));
        }
        out.flush();
    }

    static String bytes(long b) {
        if (b < 1024 * 1024) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format("%.1f MiB", b / 1048576.0);
        }
        return String.format("%.2f GiB", b / 1073741824.0);
    }
}
