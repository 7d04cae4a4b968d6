package ctfleet.server.bench;

import ctfleet.server.bench.BenchFleet.Host;
import ctfleet.server.bench.BenchFleet.Scenario;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.PredictLinear;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.fleet.RankerConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How early and how accurately each method points at the hosts that will fill first, and how well
 * ctfleet's p_full is calibrated, on fleets with known futures ({@link BenchFleet}).
 *
 * <p>Per scenario: {@code --fleets} fleets of {@code --hosts} hosts; one-minute samples; rankings at
 * six instants 4 hours apart (every phase of the daily cycle); a known future of 7 days beyond the
 * last. At each instant the candidates are the hosts reporting and not full at that minute.
 * <ul>
 *   <li><b>P@10</b>: share of the method's top 10 candidates among the candidates that really fill
 *       first (the 10 earliest to reach max within 7 days, ties included), over min(10, those that
 *       fill); mean over instants and fleets.
 *   <li><b>false</b>: of the method's top 10, how many do not fill within 7 days (mean per ranking).
 *   <li><b>lead</b>: walking every 30 minutes from T0 − 24h to T0 + 48h, for each host that fills
 *       in that span, the time from the method's first alert to full (hours, mean; missed = never
 *       alerted before full).
 *   <li><b>Brier</b>: mean (p − filled within 24h)² over every candidate at every instant.
 * </ul>
 * Methods: ours (the server's {@link Ranker}: p_full, status warn at p ≥ 0.1); fill only (order by
 * fill, p = fill, alert at 90 %); the 75 % rule (order by fill, p = 1 at 75 % or more, alert
 * there); Prometheus' {@code predict_linear} over 1h, 6h and 24h of raw samples (order by its ETA
 * within 7 days, then fill; p = 1 and alert when the ETA is within 24h); and Prometheus'
 * {@code double_exponential_smoothing} (holt_winters; sf 0.3, tf 0.1, over the window; Holt's
 * forecast level + trend·h, same use as predict_linear).
 *
 * <p>Seeds: {@code --seeds tune} (used while tuning the forecaster) or {@code --seeds report}
 * (never looked at while tuning; the README's table). Arguments: {@code --seeds tune|report},
 * {@code --fleets N} (3), {@code --hosts N} (200), {@code --windows 1,24} (hours),
 * {@code --scenarios name,...}, {@code --threads N} (2), {@code --samples-per-minute N} (1; 6 is
 * the agent's default of one every 10 s: the same fleets, the same minute samples, with the noise
 * between them), {@code --shuffled-tail true} (adds
 * {@link ShuffledTail}, a diagnosis that is not compared as a method).
 */
public final class ForecastQualityBench {
    static final int TOP = 10;
    static final int WEEK = 7 * BenchFleet.PER_DAY;
    static final int DAY = BenchFleet.PER_DAY;
    static final int WALK_EVERY = 30;
    static final int WALK_FROM = BenchFleet.T0 - DAY;
    static final int WALK_TO = BenchFleet.T0 + 2 * DAY;

    /** One host's verdict from one method at one instant. */
    record Verdict(int host, double p, boolean alert) {}

    interface Method {
        String name();

        /** Every host given (reporting ones), most urgent first, with p and whether it alerts. */
        List<Verdict> judge(List<Host> hosts, List<Integer> indexes, int now, int window);
    }

    /** Sums behind one table row (scenario × window × method). */
    static final class Tally {
        double precision;
        /** Sum of squared per-ranking precisions, for the standard error of P@10. */
        double precisionSq;
        int rankings;
        double falseAlarms;
        double brier;
        int judged;
        double lead;
        int fillers;
        int missed;
        /** This fleet's precision at each instant (NaN where nothing fills), for paired comparisons. */
        final double[] perRanking = new double[BenchFleet.INSTANTS];
        /** Paired against ours over the same rankings: sums of (ours − this) and its square, and how many. */
        double gap;
        double gapSq;
        int paired;
        final int[] binCount = new int[11];
        final double[] binP = new double[11];
        final double[] binHit = new double[11];

        synchronized void add(Tally t) {
            precision += t.precision;
            precisionSq += t.precisionSq;
            rankings += t.rankings;
            falseAlarms += t.falseAlarms;
            brier += t.brier;
            judged += t.judged;
            lead += t.lead;
            fillers += t.fillers;
            missed += t.missed;
            gap += t.gap;
            gapSq += t.gapSq;
            paired += t.paired;
            for (int i = 0; i < binCount.length; i++) {
                binCount[i] += t.binCount[i];
                binP[i] += t.binP[i];
                binHit[i] += t.binHit[i];
            }
        }

        double p10() {
            return rankings == 0 ? Double.NaN : precision / rankings;
        }

        /** The standard error of {@link #p10()}: rankings differ a lot, so a mean alone overstates a gap. */
        double p10Se() {
            return se(precision, precisionSq, rankings);
        }

        /** Ours minus this method's P@10, over the same rankings. */
        double gapMean() {
            return paired == 0 ? Double.NaN : gap / paired;
        }

        /** The paired standard error of {@link #gapMean()}, over fleets: both methods face the same futures. */
        double gapSe() {
            return se(gap, gapSq, paired);
        }

        /**
         * One paired value per fleet, the mean over its instants: a fleet's instants share its hosts, so
         * they are not independent draws; its fleets are.
         */
        void pairWith(Tally ours) {
            double sum = 0;
            int k = 0;
            for (int i = 0; i < perRanking.length; i++) {
                if (!Double.isNaN(perRanking[i])) {
                    sum += ours.perRanking[i] - perRanking[i];
                    k++;
                }
            }
            if (k > 0) {
                gap += sum / k;
                gapSq += (sum / k) * (sum / k);
                paired++;
            }
        }

        private static double se(double sum, double sumSq, int n) {
            if (n < 2) {
                return Double.NaN;
            }
            double mean = sum / n;
            return Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1)) / n);
        }

        double brierScore() {
            return judged == 0 ? Double.NaN : brier / judged;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        boolean report = opt.getOrDefault("seeds", "tune").equals("report");
        int fleets = Integer.parseInt(opt.getOrDefault("fleets", "3"));
        int size = Integer.parseInt(opt.getOrDefault("hosts", "200"));
        int threads = Integer.parseInt(opt.getOrDefault("threads", "2"));
        int perMinute = Integer.parseInt(opt.getOrDefault("samples-per-minute", "1"));
        List<Integer> windows = windows(opt);
        List<Scenario> scenarios = new ArrayList<>();
        if (opt.containsKey("scenarios")) {
            for (String s : opt.get("scenarios").split(",")) {
                scenarios.add(Scenario.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            }
        } else {
            scenarios.addAll(Arrays.asList(Scenario.values()));
        }
        long started = System.nanoTime();
        List<Method> methods = methods();
        if (Boolean.parseBoolean(opt.getOrDefault("shuffled-tail", "false"))) {
            methods.add(new ShuffledTail(new Ours()));
        }
        List<Row> table = scenarios.stream().map(s -> new Row(s.name(), s.label)).toList();
        Map<String, Tally> rows = tally(table, fleets, windows, methods, threads,
                (name, f) -> BenchFleet.fleet(Scenario.valueOf(name), seed(report, Scenario.valueOf(name), f), size,
                        perMinute));
        System.out.printf(Locale.ROOT, "seeds: %s; %d fleets x %d hosts per scenario; a sample every %d s%n%n",
                report ? "report" : "tune", fleets, size, 60 / perMinute);
        print(rows, windows, table, methods);
        System.out.printf(Locale.ROOT, "%nran in %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Makes fleet {@code f} of the scenario named. */
    interface Fleets {
        List<Host> fleet(String scenario, int f);
    }

    /**
     * Every method's tallies per window and scenario, over {@code fleets} fleets of each, keyed by
     * {@link #key(int, String, Method)}. Each fleet's tallies are summed in the order the fleets were
     * made, not as they finish: the same seeds then print the same table, to the last digit, whatever
     * the threads did.
     */
    static Map<String, Tally> tally(List<Row> scenarios, int fleets, List<Integer> windows, List<Method> methods,
            int threads, Fleets source) throws Exception {
        Map<String, Tally> rows = new LinkedHashMap<>();
        for (int window : windows) {
            for (Row s : scenarios) {
                for (Method m : methods) {
                    rows.put(key(window, s.name(), m), new Tally());
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, Tally>>> jobs = new ArrayList<>();
            for (Row s : scenarios) {
                for (int f = 0; f < fleets; f++) {
                    int fleetNo = f;
                    jobs.add(pool.submit(() -> {
                        List<Host> fleet = source.fleet(s.name(), fleetNo);
                        Map<String, Tally> mine = new LinkedHashMap<>();
                        for (int window : windows) {
                            Tally ours = null;
                            for (Method m : methods) {
                                Tally t = evaluate(fleet, window, m);
                                if (m instanceof Ours) {
                                    ours = t;
                                } else {
                                    t.pairWith(ours);
                                }
                                mine.put(key(window, s.name(), m), t);
                            }
                        }
                        return mine;
                    }));
                }
            }
            for (Future<Map<String, Tally>> j : jobs) {
                for (Map.Entry<String, Tally> e : j.get().entrySet()) {
                    rows.get(e.getKey()).add(e.getValue());
                }
            }
        } finally {
            pool.shutdown();
        }
        return rows;
    }

    /**
     * The seed of fleet {@code f} of a scenario; every bench that judges "the report seeds" takes
     * them from here. Tuning and report seeds never overlap: 1,000s and 9,000s per scenario and fleet.
     */
    static long seed(boolean report, Scenario s, int f) {
        return (report ? 9_000_000L : 1_000_000L) + 1_000L * s.ordinal() + f;
    }

    static String key(int window, String scenario, Method m) {
        return window + "|" + scenario + "|" + m.name();
    }

    /** A scenario as the table names it: its key in the rows, and its label. */
    record Row(String name, String label) {}

    static Tally evaluate(List<Host> fleet, int window, Method m) {
        Tally t = new Tally();
        Arrays.fill(t.perRanking, Double.NaN);
        for (int k = 0; k < BenchFleet.INSTANTS; k++) {
            int now = BenchFleet.T0 + k * BenchFleet.INSTANT_EVERY;
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < fleet.size(); i++) {
                Host h = fleet.get(i);
                if (h.reporting(now) && !h.fullAt(now)) {
                    candidates.add(i);
                }
            }
            List<Verdict> verdicts = m.judge(fleet, candidates, now, window);
            int[] fullAt = new int[fleet.size()];
            List<Integer> filling = new ArrayList<>();
            for (int i : candidates) {
                fullAt[i] = fleet.get(i).firstFull(now + 1, now + WEEK);
                if (fullAt[i] >= 0) {
                    filling.add(fullAt[i]);
                }
            }
            for (Verdict v : verdicts) {
                boolean within = fullAt[v.host()] >= 0 && fullAt[v.host()] <= now + DAY;
                double outcome = within ? 1 : 0;
                t.brier += (v.p() - outcome) * (v.p() - outcome);
                t.judged++;
                int bin = (int) Math.min(10, Math.floor(v.p() * 10 + 0.5));
                t.binCount[bin]++;
                t.binP[bin] += v.p();
                t.binHit[bin] += outcome;
            }
            if (!filling.isEmpty()) {
                filling.sort(null);
                int cutoff = filling.get(Math.min(TOP, filling.size()) - 1);
                int hits = 0;
                int wrong = 0;
                for (int r = 0; r < Math.min(TOP, verdicts.size()); r++) {
                    int f = fullAt[verdicts.get(r).host()];
                    hits += f >= 0 && f <= cutoff ? 1 : 0;
                    wrong += f < 0 ? 1 : 0;
                }
                double precision = (double) hits / Math.min(TOP, filling.size());
                t.precision += precision;
                t.perRanking[k] = precision;
                t.precisionSq += precision * precision;
                t.falseAlarms += wrong;
                t.rankings++;
            }
        }
        // Lead time: the first alert before each host's first fill in the walk.
        int[] firstAlert = new int[fleet.size()];
        Arrays.fill(firstAlert, -1);
        int[] fills = new int[fleet.size()];
        boolean[] fullAtStart = new boolean[fleet.size()];
        for (int i = 0; i < fleet.size(); i++) {
            Host h = fleet.get(i);
            fullAtStart[i] = h.fullAt(WALK_FROM);
            fills[i] = fullAtStart[i] ? -1 : h.firstFull(WALK_FROM + 1, WALK_TO);
        }
        for (int now = WALK_FROM; now <= WALK_TO; now += WALK_EVERY) {
            List<Integer> watched = new ArrayList<>();
            for (int i = 0; i < fleet.size(); i++) {
                if (fills[i] > now && firstAlert[i] < 0 && fleet.get(i).reporting(now)) {
                    watched.add(i);
                }
            }
            if (watched.isEmpty()) {
                continue;
            }
            for (Verdict v : m.judge(fleet, watched, now, window)) {
                if (v.alert()) {
                    firstAlert[v.host()] = now;
                }
            }
        }
        for (int i = 0; i < fleet.size(); i++) {
            if (fills[i] < 0) {
                continue;
            }
            t.fillers++;
            if (firstAlert[i] >= 0) {
                t.lead += (fills[i] - firstAlert[i]) / 60.0;
            } else {
                t.missed++;
            }
        }
        return t;
    }

    static List<Method> methods() {
        List<Method> out = new ArrayList<>();
        out.add(new Ours());
        out.add(new ByFill("fill only", fill -> fill, fill -> fill >= 0.9));
        out.add(new ByFill("75% rule", fill -> fill >= 0.75 ? 1.0 : 0.0, fill -> fill >= 0.75));
        for (int hours : new int[] {1, 6, 24}) {
            out.add(new ByEta("predict_linear " + hours + "h", hours * BenchFleet.PER_HOUR, false));
        }
        out.add(new ByEta("holt_winters", 0, true));
        return out;
    }

    /** The server's ranking, fed what the server feeds it. */
    static final class Ours implements Method {
        private final Ranker ranker = new Ranker(RankerConfig.defaults());

        public String name() {
            return "ours";
        }

        public List<Verdict> judge(List<Host> hosts, List<Integer> indexes, int now, int window) {
            List<HostHistory> histories = new ArrayList<>(indexes.size());
            Map<String, Integer> byId = new java.util.HashMap<>();
            for (int i : indexes) {
                histories.add(hosts.get(i).history(now, window));
                byId.put(hosts.get(i).id, i);
            }
            List<Verdict> out = new ArrayList<>(indexes.size());
            for (HostRank r : ranker.rank(histories, BenchFleet.at(now))) {
                out.add(new Verdict(byId.get(r.host()), r.pFull(), r.status().flagged()));
            }
            return out;
        }
    }

    /**
     * Ours with the hosts whose p_full rounds to 0 % in a random order instead of by fill: how much of
     * a row is the tail's order (a lottery where nothing in a host's own series foretells its fill)
     * rather than what the forecast sees.
     */
    record ShuffledTail(Ours ours) implements Method {
        public String name() {
            return "ours, 0% shuffled";
        }

        public List<Verdict> judge(List<Host> hosts, List<Integer> indexes, int now, int window) {
            List<Verdict> ranked = ours.judge(hosts, indexes, now, window);
            int head = 0;
            while (head < ranked.size() && Math.round(ranked.get(head).p() * 100) > 0) {
                head++;
            }
            List<Verdict> out = new ArrayList<>(ranked.subList(0, head));
            List<Verdict> tail = new ArrayList<>(ranked.subList(head, ranked.size()));
            java.util.Collections.shuffle(tail, new java.util.Random(now * 31L + hosts.size()));
            out.addAll(tail);
            return out;
        }
    }

    /** Fill-based rules: order by fill; p and alert from the fill. */
    record ByFill(String name, java.util.function.DoubleUnaryOperator p, java.util.function.DoublePredicate alert)
            implements Method {
        public List<Verdict> judge(List<Host> hosts, List<Integer> indexes, int now, int window) {
            List<Verdict> out = new ArrayList<>();
            double[] fill = new double[hosts.size()];
            for (int i : indexes) {
                Host h = hosts.get(i);
                fill[i] = (double) lastCount(h, now) / h.max;
                out.add(new Verdict(i, p.applyAsDouble(fill[i]), alert.test(fill[i])));
            }
            out.sort(Comparator.comparingDouble((Verdict v) -> -fill[v.host()]).thenComparingInt(Verdict::host));
            return out;
        }
    }

    /** A straight-line time to full (predict_linear or Holt), 7 days at most, then fill. */
    record ByEta(String name, int range, boolean holt) implements Method {
        public List<Verdict> judge(List<Host> hosts, List<Integer> indexes, int now, int window) {
            List<Verdict> out = new ArrayList<>();
            double[] eta = new double[hosts.size()];
            double[] fill = new double[hosts.size()];
            for (int i : indexes) {
                Host h = hosts.get(i);
                List<CountPoint> raw = h.raw(now, holt ? window : range);
                OptionalDouble e = holt ? holtEta(raw, h.max) : PredictLinear.forecast(raw, BenchFleet.at(now), h.max)
                        .etaSeconds();
                eta[i] = e.isPresent() && e.getAsDouble() <= WEEK * 60.0 ? e.getAsDouble() : Double.POSITIVE_INFINITY;
                fill[i] = (double) lastCount(h, now) / h.max;
                boolean within = eta[i] <= DAY * 60.0;
                out.add(new Verdict(i, within ? 1 : 0, within));
            }
            out.sort(Comparator.comparingDouble((Verdict v) -> eta[v.host()])
                    .thenComparingDouble(v -> -fill[v.host()]).thenComparingInt(Verdict::host));
            return out;
        }
    }

    /**
     * Prometheus' double_exponential_smoothing recursion (promql/functions.go, funcDoubleExponentialSmoothing)
     * with sf 0.3 and tf 0.1, then Holt's forecast: level + trend per step × steps until max.
     */
    static OptionalDouble holtEta(List<CountPoint> raw, long max) {
        int l = raw.size();
        if (l < 2) {
            return OptionalDouble.empty();
        }
        double sf = 0.3;
        double tf = 0.1;
        double s0 = 0;
        double s1 = raw.get(0).count();
        double b = raw.get(1).count() - raw.get(0).count();
        for (int i = 1; i < l; i++) {
            double x = sf * raw.get(i).count();
            b = i == 1 ? b : tf * (s1 - s0) + (1 - tf) * b;
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        double step = (raw.get(l - 1).ts().toEpochMilli() - raw.get(0).ts().toEpochMilli()) / 1000.0 / (l - 1);
        if (s1 >= max) {
            return OptionalDouble.of(0);
        }
        return b > 0 ? OptionalDouble.of((max - s1) / b * step) : OptionalDouble.empty();
    }

    private static long lastCount(Host h, int now) {
        int i = now;
        while (i > 0 && !h.observed[i]) {
            i--;
        }
        return h.count[i];
    }

    static void print(Map<String, Tally> rows, List<Integer> windows, List<Row> scenarios, List<Method> methods) {
        for (int window : windows) {
            String w = window / BenchFleet.PER_HOUR + "h";
            System.out.printf(Locale.ROOT, "window %s%n%-22s %-18s %6s %6s %6s %8s %9s %7s%n", w, "scenario", "method",
                    "P@10", "se", "false", "lead(h)", "missed", "Brier");
            int worse = 0;
            int clearlyWorse = 0;
            int belowFill = 0;
            Tally all = new Tally();
            for (Row s : scenarios) {
                double best = 0;
                Tally bestTally = null;
                double oursP = Double.NaN;
                double fillP = Double.NaN;
                for (Method m : methods) {
                    Tally t = rows.get(key(window, s.name(), m));
                    double p = t.p10();
                    System.out.printf(Locale.ROOT, "%-22s %-18s %6s %6.3f %6.2f %8s %9s %7.4f%n", s.label, m.name(),
                            Double.isNaN(p) ? "n/a" : String.format(Locale.ROOT, "%.2f", p), t.p10Se(),
                            t.rankings == 0 ? 0 : t.falseAlarms / t.rankings,
                            t.fillers == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", t.lead / Math.max(1, t.fillers - t.missed)),
                            t.missed + "/" + t.fillers, t.brierScore());
                    if (m instanceof Ours) {
                        oursP = p;
                        all.add(t);
                    } else if (!Double.isNaN(p) && !(m instanceof ShuffledTail)) {
                        if (p > best) {
                            best = p;
                            bestTally = t;
                        }
                        if (m.name().equals("fill only")) {
                            fillP = p;
                        }
                    }
                }
                worse += oursP + 1e-9 < best ? 1 : 0;
                if (bestTally != null && oursP + 1e-9 < best) {
                    System.out.printf(Locale.ROOT, "%-22s ours − %s, paired over %d fleets: %+.3f ± %.3f (se)%n", s.label,
                            bestName(rows, window, s, methods, bestTally), bestTally.paired, bestTally.gapMean(),
                            bestTally.gapSe());
                    clearlyWorse += bestTally.gapMean() < -2 * bestTally.gapSe() ? 1 : 0;
                }
                belowFill += oursP + 1e-9 < fillP ? 1 : 0;
                System.out.println();
            }
            System.out.printf(Locale.ROOT, "window %s: ours below the best other P@10 in %d of %d scenarios (by more than 2 se in %d), below fill only in %d%n",
                    w, worse, scenarios.size(), clearlyWorse, belowFill);
            System.out.printf(Locale.ROOT, "window %s: ours over every scenario: Brier %.4f; reliability (p bin: hosts, mean p, share filled within 24h)%n",
                    w, all.brierScore());
            for (int b = 0; b < all.binCount.length; b++) {
                if (all.binCount[b] > 0) {
                    System.out.printf(Locale.ROOT, "  %4.1f  %7d  %6.3f  %6.3f%n", b / 10.0, all.binCount[b],
                            all.binP[b] / all.binCount[b], all.binHit[b] / all.binCount[b]);
                }
            }
            System.out.println();
        }
    }

    private static String bestName(Map<String, Tally> rows, int window, Row s, List<Method> methods, Tally t) {
        for (Method m : methods) {
            if (rows.get(key(window, s.name(), m)) == t) {
                return m.name();
            }
        }
        return "?";
    }

    /** {@code --windows 1,24}: the windows in hours, as minutes. */
    static List<Integer> windows(Map<String, String> opt) {
        List<Integer> windows = new ArrayList<>();
        for (String w : opt.getOrDefault("windows", "1,24").split(",")) {
            windows.add(Integer.parseInt(w.trim()) * BenchFleet.PER_HOUR);
        }
        return windows;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }

    private ForecastQualityBench() {}
}
