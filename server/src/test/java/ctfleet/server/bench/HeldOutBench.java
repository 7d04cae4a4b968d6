package ctfleet.server.bench;

import ctfleet.server.bench.ForecastQualityBench.Method;
import ctfleet.server.bench.ForecastQualityBench.Row;
import ctfleet.server.bench.ForecastQualityBench.Tally;
import ctfleet.server.bench.HeldOutFleet.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link ForecastQualityBench}'s table, methods and scoring on {@link HeldOutFleet}: shapes the
 * forecaster was never tuned on, with seeds of their own, apart from {@link ForecastQualityBench}'s.
 * Arguments: {@code --seeds tune|report} (tune), {@code --fleets N} (5), {@code --hosts N} (200),
 * {@code --windows 1,24}, {@code --shapes name,...}, {@code --threads N} (2).
 */
public final class HeldOutBench {
    public static void main(String[] args) throws Exception {
        Map<String, String> opt = ForecastQualityBench.options(args);
        boolean report = opt.getOrDefault("seeds", "tune").equals("report");
        int fleets = Integer.parseInt(opt.getOrDefault("fleets", "5"));
        int size = Integer.parseInt(opt.getOrDefault("hosts", "200"));
        int threads = Integer.parseInt(opt.getOrDefault("threads", "2"));
        List<Integer> windows = ForecastQualityBench.windows(opt);
        List<Shape> shapes = new ArrayList<>();
        if (opt.containsKey("shapes")) {
            for (String s : opt.get("shapes").split(",")) {
                shapes.add(Shape.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            }
        } else {
            shapes.addAll(Arrays.asList(Shape.values()));
        }
        long started = System.nanoTime();
        List<Method> methods = ForecastQualityBench.methods();
        List<Row> table = shapes.stream().map(s -> new Row(s.name(), s.label)).toList();
        Map<String, Tally> rows = ForecastQualityBench.tally(table, fleets, windows, methods, threads,
                (name, f) -> HeldOutFleet.fleet(Shape.valueOf(name), seed(report, Shape.valueOf(name), f), size));
        System.out.printf(Locale.ROOT, "held-out shapes, %s seeds; %d fleets x %d hosts per shape; a sample every 60 s%n%n",
                report ? "report" : "tune", fleets, size);
        ForecastQualityBench.print(rows, windows, table, methods);
        System.out.printf(Locale.ROOT, "%nran in %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Tune and report seeds never overlap, nor meet {@link ForecastQualityBench#seed}'s. */
    static long seed(boolean report, Shape s, int f) {
        return (report ? 7_500_000L : 7_000_000L) + 1_000L * s.ordinal() + f;
    }

    private HeldOutBench() {}
}
