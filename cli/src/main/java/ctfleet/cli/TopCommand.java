package ctfleet.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import ctfleet.cli.render.Csv;
import ctfleet.cli.render.Format;
import ctfleet.cli.render.Json;
import ctfleet.cli.render.Table;
import ctfleet.common.Durations;
import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
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

@Command(name = "top", mixinStandardHelpOptions = true,
        description = "Hosts nearest to table-full first.")
public final class TopCommand implements Callable<Integer> {
    @Mixin
    ServerOption server;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Show at most N hosts (0: all).")
    int limit;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "1h",
            description = "History the trend and rates look at (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--horizon", paramLabel = "DURATION", defaultValue = "24h",
            description = "P_FULL is the chance of reaching max within this (default: ${DEFAULT-VALUE}, at most 30d).")
    String horizon;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Only hosts with this label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--format", defaultValue = "table", description = "table, json or csv (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new UsageError("--limit must be 0 or more");
        }
        long windowSeconds = Cli.range(window, "--window");
        long horizonSeconds = Cli.horizon(horizon);
        Cli.labels(labels);
        ManagedChannel ch = server.open();
        try {
            TopResponse resp = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .top(TopRequest.newBuilder().setLimit(limit).setWindowSeconds(windowSeconds)
                            .setHorizonSeconds(horizonSeconds).putAllLabels(labels).build());
            render(resp, spec.commandLine().getOut());
            return 0;
        } finally {
            ServerOption.close(ch);
        }
    }

    void render(TopResponse resp, PrintWriter out) {
        switch (format) {
            case json -> Json.print(out, json(resp));
            case csv -> csv(resp, out);
            default -> table(resp, out, labels);
        }
    }

    static JsonArray json(TopResponse resp) {
        JsonArray a = new JsonArray();
        for (HostRank h : resp.getHostsList()) {
            a.add(json(h));
        }
        return a;
    }

    static JsonObject json(HostRank h) {
        JsonObject o = new JsonObject();
        o.addProperty("rank", h.getRank());
        o.addProperty("host", h.getHost());
        o.addProperty("count", h.getCount());
        o.addProperty("max", h.getMax());
        o.addProperty("buckets", h.getBuckets());
        o.add("fill", h.hasFill() ? new com.google.gson.JsonPrimitive(h.getFill()) : JsonNull.INSTANCE);
        o.addProperty("p_full", h.getPFull());
        o.add("eta_seconds", h.hasEtaSeconds()
                ? new com.google.gson.JsonPrimitive(h.getEtaSeconds()) : JsonNull.INSTANCE);
        o.add("eta_low_seconds", h.hasEtaLowSeconds()
                ? new com.google.gson.JsonPrimitive(h.getEtaLowSeconds()) : JsonNull.INSTANCE);
        o.add("eta_high_seconds", h.hasEtaHighSeconds()
                ? new com.google.gson.JsonPrimitive(h.getEtaHighSeconds()) : JsonNull.INSTANCE);
        o.addProperty("reason", h.getReason());
        o.addProperty("drops_per_second", h.getDropsPerSecond());
        o.addProperty("early_drops_per_second", h.getEarlyDropsPerSecond());
        o.addProperty("insert_failed_per_second", h.getInsertFailedPerSecond());
        o.addProperty("status", h.getStatus());
        o.addProperty("last_seen", Format.isoUtc(h.getLastSeenMillis()));
        JsonObject labels = new JsonObject();
        new java.util.TreeMap<>(h.getLabelsMap()).forEach(labels::addProperty);
        o.add("labels", labels);
        return o;
    }

    private static void table(TopResponse resp, PrintWriter out, Map<String, String> labels) {
        if (resp.getHostsCount() == 0) {
            out.println(Cli.noHosts(labels));
            out.flush();
            return;
        }
        Table t = new Table("RANK>", "HOST", "COUNT>", "MAX>", "FILL>", "P_FULL>", "ETA (10-90%)>", "DROPS>", "STATUS",
                "REASON");
        for (HostRank h : resp.getHostsList()) {
            t.row(h.getRank(), h.getHost(), h.getCount(), h.getMax() == 0 ? "unlimited" : h.getMax(),
                    h.hasFill() ? Format.percent(h.getFill()) : "-",
                    h.hasFill() ? Format.probability(h.getPFull()) : "-",
                    Format.etaRange(h.hasEtaSeconds(), h.getEtaSeconds(), h.hasEtaLowSeconds(), h.getEtaLowSeconds(),
                            h.hasEtaHighSeconds(), h.getEtaHighSeconds(), h.getCount(), h.getMax()),
                    Format.rate(h.getDropsPerSecond() + h.getEarlyDropsPerSecond() + h.getInsertFailedPerSecond()),
                    h.getStatus(), h.getReason().isEmpty() ? "-" : h.getReason());
        }
        t.print(out);
    }

    private static void csv(TopResponse resp, PrintWriter out) {
        Csv.row(out, List.of("rank", "host", "count", "max", "buckets", "fill", "p_full", "eta_seconds",
                "eta_low_seconds", "eta_high_seconds", "drops_per_second", "early_drops_per_second",
                "insert_failed_per_second", "status", "reason", "last_seen"));
        for (HostRank h : resp.getHostsList()) {
            Csv.row(out, java.util.Arrays.asList(h.getRank(), h.getHost(), h.getCount(), h.getMax(), h.getBuckets(),
                    h.hasFill() ? h.getFill() : null, h.getPFull(), h.hasEtaSeconds() ? h.getEtaSeconds() : null,
                    h.hasEtaLowSeconds() ? h.getEtaLowSeconds() : null,
                    h.hasEtaHighSeconds() ? h.getEtaHighSeconds() : null,
                    h.getDropsPerSecond(), h.getEarlyDropsPerSecond(), h.getInsertFailedPerSecond(), h.getStatus(),
                    h.getReason(), Format.isoUtc(h.getLastSeenMillis())));
        }
        out.flush();
    }
}
