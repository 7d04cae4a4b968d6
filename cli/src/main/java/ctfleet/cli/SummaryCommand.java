package ctfleet.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ctfleet.cli.render.Format;
import ctfleet.cli.render.Json;
import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.SummaryRequest;
import ctfleet.proto.v1.SummaryResponse;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "The fleet at a glance: hosts by status, drops, the five nearest to full.")
public final class SummaryCommand implements Callable<Integer> {
    @Mixin
    ServerOption server;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "1h",
            description = "Window for drops and trends (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--format", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (format == OutputFormat.csv) {
            throw new UsageError("--format: summary supports table or json");
        }
        long w = Cli.range(window, "--window");
        ManagedChannel ch = server.open();
        try {
            SummaryResponse s = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .summary(SummaryRequest.newBuilder().setWindowSeconds(w).build());
            PrintWriter out = spec.commandLine().getOut();
            if (format == OutputFormat.json) {
                Json.print(out, json(s));
            } else {
                table(s, out, window);
            }
            return 0;
        } finally {
            ServerOption.close(ch);
        }
    }

    static JsonObject json(SummaryResponse s) {
        JsonObject o = new JsonObject();
        o.addProperty("hosts", s.getHosts());
        o.addProperty("stale", s.getStale());
        o.addProperty("without_conntrack", s.getWithoutConntrack());
        JsonObject by = new JsonObject();
        new TreeMap<>(s.getByStatusMap()).forEach(by::addProperty);
        o.add("by_status", by);
        o.addProperty("drops_in_window", s.getDropsInWindow());
        JsonArray nearest = new JsonArray();
        s.getNearestList().forEach(h -> nearest.add(TopCommand.json(h)));
        o.add("nearest", nearest);
        return o;
    }

    private static void table(SummaryResponse s, PrintWriter out, String window) {
        out.printf("%d hosts reporting, %d stale, %d without conntrack%n", s.getHosts(), s.getStale(),
                s.getWithoutConntrack());
        StringBuilder by = new StringBuilder();
        new TreeMap<>(s.getByStatusMap()).forEach((k, v) -> by.append(by.length() == 0 ? "" : ", ").append(k)
                .append(' ').append(v));
        out.println("by status: " + (by.length() == 0 ? "-" : by));
        out.printf("packets dropped or entries evicted in the last %s: %.0f%n", window, s.getDropsInWindow());
        if (s.getNearestCount() > 0) {
            out.println("nearest to full:");
            for (HostRank h : s.getNearestList()) {
                out.printf("  %d. %s  %s%s  %s%n", h.getRank(), h.getHost(),
                        h.hasFill() ? Format.percent(h.getFill()) : "no limit",
                        Format.etaClause(h.hasEtaSeconds(), h.getEtaSeconds(), h.getCount(), h.getMax()), h.getStatus());
            }
        }
        out.flush();
    }
}
