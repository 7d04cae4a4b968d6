package ctfleet.server.bench;

import ctfleet.server.bench.BenchFleet.Host;
import ctfleet.server.bench.BenchFleet.Scenario;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.fleet.RankerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Is p_full a share at other horizons than the 24 h {@link ForecastQualityBench} judges? Ranks
 * every scenario's fleets with {@code --horizon H} and scores each host's p_full against whether
 * its table really filled within H, as a reliability table and a Brier score per horizon. Users may
 * ask for any horizon up to 30 days, and the forecaster was tuned at 24 h only.
 * Arguments: {@code --horizons 1,6,24,72,168} (hours, at most the benchmark's known week)
 * {@code --fleets 3 --seeds report|tune --threads 2}.
 */
public final class HorizonCalibrationBench {
    private static final int BINS = 11;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int fleets = Integer.parseInt(opt.getOrDefault("fleets", "3"));
        boolean report = opt.getOrDefault("seeds", "report").equals("report");
        ExecutorService pool = Executors.newFixedThreadPool(Integer.parseInt(opt.getOrDefault("threads", "2")));
        for (String h : opt.getOrDefault("horizons", "1,6,24,72,168").split(",")) {
            int hours = Integer.parseInt(h.trim());
            if (hours * BenchFleet.PER_HOUR > ForecastQualityBench.WEEK) {
                throw new IllegalArgumentException("the benchmark knows a week ahead, not " + hours + " h");
            }
            Ranker ranker = new Ranker(RankerConfig.defaults().withHorizon(Duration.ofHours(hours)));
            List<Future<Bins>> jobs = new ArrayList<>();
            for (Scenario s : Scenario.values()) {
                for (int f = 0; f < fleets; f++) {
                    long seed = ForecastQualityBench.seed(report, s, f);
                    jobs.add(pool.submit(() -> judge(BenchFleet.fleet(s, seed, 200), ranker, hours)));
                }
            }
            Bins all = new Bins();
            for (Future<Bins> j : jobs) {
                all.add(j.get());
            }
            System.out.printf(Locale.ROOT, "horizon %d h (%s seeds, %d fleets a scenario): Brier %.4f over %d%n",
                    hours, report ? "report" : "tune", fleets, all.brier / all.judged, all.judged);
            for (int b = 0; b < BINS; b++) {
                if (all.count[b] > 0) {
                    System.out.printf(Locale.ROOT, "  p_full %.1f: %6d hosts, mean p_full %.3f, filled within %d h %.3f%n",
                            b / 10.0, all.count[b], all.p[b] / all.count[b], hours, all.filled[b] / all.count[b]);
                }
            }
        }
        pool.shutdown();
    }

    /** Every host not yet full at each ranking instant, one hour's window (the forecast reads two days). */
    private static Bins judge(List<Host> fleet, Ranker ranker, int hours) {
        Bins out = new Bins();
        for (int k = 0; k < BenchFleet.INSTANTS; k++) {
            int now = BenchFleet.T0 + k * BenchFleet.INSTANT_EVERY;
            List<HostHistory> histories = new ArrayList<>();
            Map<String, Host> byId = new HashMap<>();
            for (Host h : fleet) {
                if (h.reporting(now) && !h.fullAt(now)) {
                    histories.add(h.history(now, BenchFleet.PER_HOUR));
                    byId.put(h.id, h);
                }
            }
            for (HostRank r : ranker.rank(histories, BenchFleet.at(now))) {
                boolean filled = byId.get(r.host()).firstFull(now + 1, now + hours * BenchFleet.PER_HOUR) >= 0;
                out.add(r.pFull(), filled);
            }
        }
        return out;
    }

    private static final class Bins {
        final long[] count = new long[BINS];
        final double[] p = new double[BINS];
        final double[] filled = new double[BINS];
        double brier;
        long judged;

        void add(double pFull, boolean full) {
            int b = (int) Math.min(BINS - 1, Math.floor(pFull * 10 + 0.5));
            double outcome = full ? 1 : 0;
            count[b]++;
            p[b] += pFull;
            filled[b] += outcome;
            brier += (pFull - outcome) * (pFull - outcome);
            judged++;
        }

        void add(Bins o) {
            for (int b = 0; b < BINS; b++) {
                count[b] += o.count[b];
                p[b] += o.p[b];
                filled[b] += o.filled[b];
            }
            brier += o.brier;
            judged += o.judged;
        }
    }

    private HorizonCalibrationBench() {}
}
