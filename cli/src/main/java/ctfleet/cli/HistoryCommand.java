package ctfleet.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import ctfleet.cli.render.Format;
import ctfleet.cli.render.Json;
import ctfleet.cli.render.Sparkline;
import ctfleet.cli.render.Table;
import ctfleet.proto.v1.HistoryPoint;
import ctfleet.proto.v1.HistoryRequest;
import ctfleet.proto.v1.HistoryResponse;
import ctfleet.proto.v1.QueryGrpc;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = "One host's series, oldest first: count, max, fill and counter rates.")
public final class HistoryCommand implements Callable<Integer> {
    @Mixin
    ServerOption server;

    @Parameters(paramLabel = "HOST", description = "The host id.")
    String host;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "1h",
            description = "How far back (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--step", paramLabel = "STEP", description = "raw, 1m or 1h (default: the finest resolution kept for the range).")
    String step;

    @Option(names = "--format", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (step != null && !List.of("raw", "1m", "1h").contains(step)) {
            throw new UsageError("--step must be raw, 1m or 1h");
        }
        if (format == OutputFormat.csv) {
            throw new UsageError("--format: history supports table or json");
        }
        HistoryRequest req = HistoryRequest.newBuilder().setHost(Cli.hostId(host))
                .setSinceSeconds(Cli.range(since, "--since"))
                .setStep(step == null ? "" : step).build();
        ManagedChannel ch = server.open();
        try {
            HistoryResponse resp = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).history(req);
            PrintWriter out = spec.commandLine().getOut();
            if (format == OutputFormat.json) {
                Json.print(out, json(resp));
            } else {
                table(resp, out);
            }
            return 0;
        } finally {
            ServerOption.close(ch);
        }
    }

    static JsonArray json(HistoryResponse resp) {
        JsonArray a = new JsonArray();
        for (HistoryPoint p : resp.getPointsList()) {
            JsonObject o = new JsonObject();
            o.addProperty("ts", Format.isoUtc(p.getTsMillis()));
            o.addProperty("count", p.getCount());
            o.addProperty("count_min", p.getCountMin());
            o.addProperty("count_max", p.getCountMax());
            o.addProperty("max", p.getMax());
            o.add("fill", p.hasFill() ? new JsonPrimitive(p.getFill()) : JsonNull.INSTANCE);
            o.addProperty("drops_per_second", p.getDropsPerSecond());
            o.addProperty("early_drops_per_second", p.getEarlyDropsPerSecond());
            o.addProperty("insert_failed_per_second", p.getInsertFailedPerSecond());
            o.addProperty("samples", p.getSamples());
            o.addProperty("step", resp.getStep());
            a.add(o);
        }
        return a;
    }

    private static void table(HistoryResponse resp, PrintWriter out) {
        if (resp.getPointsCount() == 0) {
            out.println("no samples for " + resp.getHost() + " in that range");
            out.flush();
            return;
        }
        List<Double> fills = new ArrayList<>();
        for (HistoryPoint p : resp.getPointsList()) {
            fills.add(p.hasFill() ? p.getFill() : Double.NaN);
        }
        out.printf("%s, %d %s at step %s, fill: %s%n", resp.getHost(), resp.getPointsCount(),
                resp.getPointsCount() == 1 ? "point" : "points", resp.getStep(),
                Sparkline.of(fills, 72));
        Table t = new Table("TIME", "COUNT>", "MIN>", "PEAK>", "MAX>", "FILL>", "DROPS>", "EARLY DROPS>");
        for (HistoryPoint p : resp.getPointsList()) {
            t.row(Format.isoUtc(p.getTsMillis()), String.format("%.0f", p.getCount()), p.getCountMin(),
                    p.getCountMax(), p.getMax() == 0 ? "unlimited" : p.getMax(),
                    p.hasFill() ? Format.percent(p.getFill()) : "-", Format.rate(p.getDropsPerSecond()),
                    Format.rate(p.getEarlyDropsPerSecond()));
        }
        t.print(out);
    }
}
