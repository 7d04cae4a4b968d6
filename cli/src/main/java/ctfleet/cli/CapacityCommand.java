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

    @Option(names = "--max-memory-share", paramLabel = "FRACTION", defaultValue = "0.25",
            description = "The most of a host's MemTotal a plan may cost, above 0 and at most 1"
                    + " (default: ${DEFAULT-VALUE}).")
    double maxMemoryShare;

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
        if (!(maxMemoryShare > 0) || maxMemoryShare > 1) {
            throw new UsageError("--max-memory-share must be above 0 and at most 1 (0.25 means a quarter of a host's"
                    + " MemTotal)");
        }
        CapacityRequest req = CapacityRequest.newBuilder()
                .setWindowSeconds(Cli.range(window, "--window"))
                .setHorizonSeconds(Cli.range(horizon, "--horizon"))
                .setHeadroom(headroom)
                .setMaxMemoryShare(maxMemoryShare)
                .putAllLabels(Cli.labels(labels))
                .build();
        ManagedChannel ch = server.open();
        try {
            CapacityResponse resp = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).capacity(req);
            PrintWriter out = spec.commandLine().getOut();
            switch (format) {
                case json -> Json.print(out, json(resp));
                case csv -> {
                    csv(resp, out);
                    // The rows stay a table a spreadsheet reads; what to check goes beside them.
                    PrintWriter err = spec.commandLine().getErr();
                    resp.getWarningsList().forEach(w -> err.println("ctfleet capacity: warning: " + w));
                    err.flush();
                }
                default -> table(resp, out, labels);
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
        o.addProperty("total_additional_memory_bytes",
                resp.getHostsList().stream().mapToLong(CapacityPlan::getAdditionalMemoryBytes).sum());
        JsonArray warnings = new JsonArray();
        resp.getWarningsList().forEach(warnings::add);
        o.add("warnings", warnings);
        return o;
    }

    static JsonObject json(CapacityPlan p) {
        JsonObject o = new JsonObject();
        o.addProperty("host", p.getHost());
        o.addProperty("action", p.getAction());
        o.addProperty("current_max", p.getCurrentMax());
        o.addProperty("current_buckets", p.getCurrentBuckets());
        o.addProperty("peak", p.getPeak());
        o.addProperty("growth_per_day", p.getGrowthPerDay());
        o.add("full_at", p.hasFullAtMillis() ? new JsonPrimitive(Format.isoUtc(p.getFullAtMillis())) : JsonNull.INSTANCE);
        o.add("demand_estimate", p.hasDemandEstimate() ? new JsonPrimitive(p.getDemandEstimate()) : JsonNull.INSTANCE);
        o.addProperty("needed_max", p.getNeededMax());
        o.addProperty("recommended_max", p.getRecommendedMax());
        o.addProperty("recommended_buckets", p.getRecommendedBuckets());
        o.addProperty("memory_bytes", p.getMemoryBytes());
        o.addProperty("additional_memory_bytes", p.getAdditionalMemoryBytes());
        o.addProperty("bytes_per_entry", p.getBytesPerEntry());
        o.addProperty("bytes_per_entry_estimated", p.getBytesPerEntryEstimated());
        o.add("host_memory_bytes", p.hasHostMemoryBytes() ? new JsonPrimitive(p.getHostMemoryBytes()) : JsonNull.INSTANCE);
        o.add("memory_cap_bytes", p.hasMemoryCapBytes() ? new JsonPrimitive(p.getMemoryCapBytes()) : JsonNull.INSTANCE);
        o.addProperty("capped", p.getCapped());
        o.add("failover_partner", p.hasFailoverPartner() ? new JsonPrimitive(p.getFailoverPartner()) : JsonNull.INSTANCE);
        o.add("failover_peak", p.hasFailoverPeak() ? new JsonPrimitive(p.getFailoverPeak()) : JsonNull.INSTANCE);
        JsonArray commands = new JsonArray();
        p.getCommandsList().forEach(commands::add);
        o.add("commands", commands);
        o.addProperty("note", p.getNote());
        JsonArray evidence = new JsonArray();
        p.getEvidenceList().forEach(evidence::add);
        o.add("evidence", evidence);
        return o;
    }

    /** Investigate first, then raises, then keeps: what needs a person comes first. */
    private static final List<String> ACTION_ORDER = List.of("investigate", "raise", "keep");

    private static void table(CapacityResponse resp, PrintWriter out, Map<String, String> labels) {
        if (resp.getHostsCount() == 0) {
            out.println(Cli.noHosts(labels));
            out.flush();
            return;
        }
        List<CapacityPlan> plans = new java.util.ArrayList<>(resp.getHostsList());
        // Within an action, larger tables first: a raise of nf_conntrack_max before a hash resize.
        plans.sort(java.util.Comparator.comparingInt((CapacityPlan p) -> ACTION_ORDER.indexOf(p.getAction()))
                .thenComparing(p -> p.getRecommendedMax() == p.getCurrentMax())
                .thenComparing(CapacityPlan::getHost));
        Table t = new Table("HOST", "ACTION", "PEAK>", "GROWTH/DAY>", "DEMAND>", "FULL AT", "NF_CONNTRACK_MAX>",
                "BUCKETS>", "MEMORY>", "CAPPED");
        for (CapacityPlan p : plans) {
            t.row(p.getHost(), p.getAction(), p.getPeak(), growth(p),
                    p.hasDemandEstimate() ? p.getDemandEstimate() : null,
                    p.hasFullAtMillis() ? Format.isoUtc(p.getFullAtMillis()) : "-",
                    change(p.getCurrentMax() == 0 ? "unlimited" : String.valueOf(p.getCurrentMax()),
                            p.getCurrentMax() == p.getRecommendedMax(), p.getRecommendedMax()),
                    // 0 is a hash size not known (an imported host), not an empty one.
                    change(p.getCurrentBuckets() == 0 ? "?" : String.valueOf(p.getCurrentBuckets()),
                            p.getCurrentBuckets() == p.getRecommendedBuckets(), p.getRecommendedBuckets()),
                    bytes(p.getMemoryBytes()), p.getCapped() ? "yes" : "-");
        }
        t.print(out);
        section(out, "Investigate, do not raise", plans, p -> p.getAction().equals("investigate"), true);
        section(out, "Full, now or earlier in the window: planned from the demand their clamped count hid", plans,
                p -> p.hasDemandEstimate() && !p.getAction().equals("investigate"), false);
        section(out, "Capped: the plan needs more than the host can afford or the kernel takes", plans,
                p -> p.getCapped() && !p.hasDemandEstimate(), false);
        section(out, "Failover pairs: each sized to hold both loads", plans,
                p -> p.hasFailoverPartner() && !p.getAction().equals("investigate") && !p.hasDemandEstimate()
                        && !p.getCapped(), false);
        if (resp.getWarningsCount() > 0) {
            out.println();
            out.println("Check these declarations (" + resp.getWarningsCount() + "):");
            for (String w : resp.getWarningsList()) {
                wrap(out, "  - ", w);
            }
        }
        long additional = plans.stream().mapToLong(CapacityPlan::getAdditionalMemoryBytes).sum();
        long raises = plans.stream().filter(p -> p.getAction().equals("raise")).count();
        out.println();
        out.println("Fleet total to reserve: " + bytes(resp.getTotalMemoryBytes()) + " at the recommended settings ("
                + bytes(additional) + " more than today's, for " + raises + (raises == 1 ? " raise" : " raises")
                + "; hosts to investigate keep today's).");
        out.println("Run `ctfleet capacity --format json` (or `ctfleet host NAME`) for the exact commands per host.");
        out.flush();
    }

    /** "-" when no growth was measured (too short a history, a step, a full host's clamped count). */
    private static String growth(CapacityPlan p) {
        return p.getGrowthPerDay() == 0 ? "-" : String.format("%+.0f", p.getGrowthPerDay());
    }

    /** "262144" when unchanged, "65536 → 262144" when the plan changes it. */
    private static String change(String now, boolean same, long recommended) {
        return same ? now : now + " → " + recommended;
    }

    private static void section(PrintWriter out, String title, List<CapacityPlan> plans,
                                java.util.function.Predicate<CapacityPlan> which, boolean withEvidence) {
        List<CapacityPlan> chosen = plans.stream().filter(which).toList();
        if (chosen.isEmpty()) {
            return;
        }
        out.println();
        out.println(title + " (" + chosen.size() + "):");
        for (CapacityPlan p : chosen) {
            wrap(out, "  " + p.getHost() + ": ", p.getNote());
            if (withEvidence) {
                for (String e : p.getEvidenceList()) {
                    wrap(out, "    - ", e);
                }
                for (String c : p.getCommandsList()) {
                    out.println("    " + c);
                }
            }
        }
    }

    /** Prints text after a lead, wrapped at about 110 columns under the lead's width. */
    static void wrap(PrintWriter out, String lead, String text) {
        int width = 110;
        String indent = " ".repeat(Math.min(lead.length(), 8));
        StringBuilder line = new StringBuilder(lead);
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > width && line.length() > lead.length()) {
                out.println(line.toString().stripTrailing());
                line = new StringBuilder(indent);
            }
            if (line.length() > 0 && !line.toString().endsWith(" ")) {
                line.append(' ');
            }
            line.append(word);
        }
        out.println(line.toString().stripTrailing());
    }

    static void describe(CapacityPlan p, PrintWriter out) {
        if (p.hasDemandEstimate()) {
            out.printf("  %s: full in the window, its count clamped at %d; its demand is at least %d entries%s%n",
                    p.getAction(), p.getPeak(), p.getDemandEstimate(),
                    p.hasFullAtMillis() ? " (at " + Format.isoUtc(p.getFullAtMillis()) + ")" : "");
        } else {
            out.printf("  %s: peak %d, growth %s, full %s%n", p.getAction(), p.getPeak(),
                    p.getGrowthPerDay() == 0 ? "not measured" : String.format("%+.0f/day", p.getGrowthPerDay()),
                    p.hasFullAtMillis() ? "at " + Format.isoUtc(p.getFullAtMillis()) : "never at the current trend");
        }
        out.printf("  recommended nf_conntrack_max %d, hashsize %d, costing %s of kernel memory%s%s%n",
                p.getRecommendedMax(), p.getRecommendedBuckets(), bytes(p.getMemoryBytes()),
                p.hasMemoryCapBytes() ? " (the cap on this host: " + bytes(p.getMemoryCapBytes()) + ")"
                        : " (host memory unknown)",
                p.getCapped() ? ", capped below the " + p.getNeededMax() + " it needs" : "");
        if (!p.getNote().isEmpty()) {
            wrap(out, "  ", p.getNote());
        }
        for (String e : p.getEvidenceList()) {
            wrap(out, "  - ", e);
        }
        for (String c : p.getCommandsList()) {
            out.println("    " + c);
        }
    }

    private static void csv(CapacityResponse resp, PrintWriter out) {
        Csv.row(out, List.of("host", "action", "current_max", "peak", "growth_per_day", "full_at", "demand_estimate",
                "needed_max", "recommended_max", "recommended_buckets", "memory_bytes", "bytes_per_entry",
                "host_memory_bytes", "capped", "failover_partner", "failover_peak"));
        for (CapacityPlan p : resp.getHostsList()) {
            Csv.row(out, Arrays.asList(p.getHost(), p.getAction(), p.getCurrentMax(), p.getPeak(), p.getGrowthPerDay(),
                    p.hasFullAtMillis() ? Format.isoUtc(p.getFullAtMillis()) : null,
                    p.hasDemandEstimate() ? p.getDemandEstimate() : null, p.getNeededMax(), p.getRecommendedMax(),
                    p.getRecommendedBuckets(), p.getMemoryBytes(), p.getBytesPerEntry(),
                    p.hasHostMemoryBytes() ? p.getHostMemoryBytes() : null, p.getCapped(),
                    p.hasFailoverPartner() ? p.getFailoverPartner() : null,
                    p.hasFailoverPeak() ? p.getFailoverPeak() : null));
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
