package ctfleet.server.bench;

import ctfleet.server.bench.BenchFleet.Host;
import ctfleet.server.bench.BenchFleet.Scenario;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.PredictLinear;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.fleet.RankerConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ranking's own cost, without gRPC, H2 or the other process that {@link ForecastE2EBench}
 * measures: a {@link BenchFleet} fleet's histories as the server hands them to the {@link Ranker},
 * ranked over and over on one thread, against a plain {@code predict_linear} (least squares over the
 * same window's raw minutes, the work Prometheus does for its query) over the same hosts in the same
 * run. The ratio is what to watch when changing the forecaster; the e2e bench is what to claim.
 * Last, the whole fleet in one call as the server makes it (the pair search, then the forecasts on
 * every core), in wall time. Arguments: {@code --hosts 1000 --window-hours 24 --reps 15 --seed
 * 9000001}; run it with a small young generation ({@code -Xmn64m}), or the heap's growth (page
 * faults on fresh eden) swamps both.
 */
public final class RankSpeedBench {
    public static void main(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int size = Integer.parseInt(opt.getOrDefault("hosts", "1000"));
        int window = Integer.parseInt(opt.getOrDefault("window-hours", "24")) * BenchFleet.PER_HOUR;
        int reps = Integer.parseInt(opt.getOrDefault("reps", "15"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "9000001"));

        List<Host> fleet = BenchFleet.fleet(Scenario.MIXED, seed, size);
        int now = BenchFleet.T0;
        Instant at = BenchFleet.at(now);
        List<HostHistory> histories = new ArrayList<>(size);
        List<List<ctfleet.server.fleet.CountPoint>> raws = new ArrayList<>(size);
        for (Host h : fleet) {
            histories.add(h.history(now, window));
            raws.add(h.raw(now, window));
        }
        Ranker ranker = new Ranker(RankerConfig.defaults());
        long sink = 0;
        for (int warm = 0; warm < 5; warm++) {
            sink += oneThread(ranker, histories, at);
            sink += baseline(raws, fleet, at);
        }
        // CPU time of this thread, not wall time: on a shared machine a stolen slice or another
        // thread's GC pause otherwise lands on whichever side happened to be running.
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double[] ours = new double[reps];
        double[] base = new double[reps];
        long allocated = 0;
        for (int r = 0; r < reps; r++) {
            long a0 = mx.getCurrentThreadAllocatedBytes();
            long c0 = mx.getCurrentThreadCpuTime();
            sink += oneThread(ranker, histories, at);
            long c1 = mx.getCurrentThreadCpuTime();
            allocated += mx.getCurrentThreadAllocatedBytes() - a0;
            sink += baseline(raws, fleet, at);
            long c2 = mx.getCurrentThreadCpuTime();
            ours[r] = (c1 - c0) / 1e6;
            base[r] = (c2 - c1) / 1e6;
        }
        double o = median(ours);
        double b = median(base);
        System.out.printf(Locale.ROOT, "%d hosts, %d h window (%.0f points a host), %d reps, one thread (%d)%n", size,
                window / BenchFleet.PER_HOUR, histories.stream().mapToInt(h -> h.points().size()).average().orElse(0),
                reps, sink % 7);
        System.out.printf(Locale.ROOT, "ranking          %8.1f ms cpu (fastest %.1f), %.0f kB allocated a host%n", o,
                Arrays.stream(ours).min().orElse(0), allocated / 1e3 / reps / size);
        System.out.printf(Locale.ROOT, "predict_linear   %8.1f ms cpu (fastest %.1f)%n", b,
                Arrays.stream(base).min().orElse(0));
        System.out.printf(Locale.ROOT, "ratio            %8.2f (fastest to fastest %.2f)%n", o / b,
                Arrays.stream(ours).min().orElse(0) / Arrays.stream(base).min().orElse(1));
        // The server's own call: the whole fleet at once, the pair search first, then the forecasts
        // on every core. Wall time, so it swings with the machine; the CPU figures above are the measure.
        double[] fleetWall = new double[reps];
        for (int warm = 0; warm < 5; warm++) {
            sink += ranker.rank(histories, at).size();
        }
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            sink += ranker.rank(histories, at).size();
            fleetWall[r] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.printf(Locale.ROOT, "whole fleet      %8.1f ms wall (fastest %.1f), one call on %d cores (%d)%n",
                median(fleetWall), Arrays.stream(fleetWall).min().orElse(0),
                Runtime.getRuntime().availableProcessors(), sink % 7);
    }

    /** One host after another, as a single core would: the ratio should not hinge on the pool. */
    private static long oneThread(Ranker ranker, List<HostHistory> histories, Instant at) {
        long n = 0;
        for (HostHistory h : histories) {
            n += ranker.rank(List.of(h), at).size();
        }
        return n;
    }

    private static long baseline(List<List<ctfleet.server.fleet.CountPoint>> raws, List<Host> fleet, Instant at) {
        long n = 0;
        for (int i = 0; i < raws.size(); i++) {
            n += PredictLinear.forecast(raws.get(i), at, fleet.get(i).max).etaSeconds().isPresent() ? 1 : 0;
        }
        return n;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
