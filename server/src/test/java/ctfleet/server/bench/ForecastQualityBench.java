package ctfleet.server.bench;

import ctfleet.server.bench.SyntheticFleet.Host;
import ctfleet.server.bench.SyntheticFleet.Shape;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.PredictLinear;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.fleet.RankerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;

/**
 * How early and how accurately each ranking method points at the hosts that will fill first.
 *
 * <p>Each scenario is three fleets of 200 synthetic hosts (170 background: flat, flat above 75%, daily cycles
 * that never fill; plus 30 of the featured shape) with 48h of history before the ranking instant
 * t0 and a known 48h future (+24h more to judge false alarms). Methods:
 * <ul>
 *   <li><b>ours</b>: {@link Ranker} with default thresholds; flags status warn/crit/dropping.
 *   <li><b>fill-only</b>: sort by fill; flags fill ≥ 0.75.
 *   <li><b>predict_linear</b>: sort by the {@link PredictLinear} ETA (within 7 days, like ours),
 *       then fill; flags ETA ≤ 6h.
 * </ul>
 * Metrics:
 * <ul>
 *   <li><b>P@10</b>: share of the method's top 10 among the hosts that truly fill first in the
 *       next 48h (the 10 earliest full times, ties included; hosts full inside the window before
 *       the instant tie as earliest), over min(10, hosts that fill); the mean over six ranking
 *       instants t0, t0+4h, ..., t0+20h so every phase of the daily cycle is tested.
 *   <li><b>lead</b>: walking from t0−24h to t0+48h every 10 minutes, for each host that first
 *       fills in that span, full time minus the first time the method flagged it (0 if never
 *       flagged before full); mean in hours. <b>missed</b>: hosts with lead 0.
 *   <li><b>false</b>: hosts flagged during the walk that do not fill before t0+72h.
 * </ul>
 * P@10 is the mean over the three fleets; lead is the mean over all filling hosts of the three;
 * missed, fillers and false alarms are summed.
 * <ul>
 * </ul>
 * Seeds are fixed: every run prints the same table. Arguments: window lengths in hours
 * (default {@code 1 24}: the server's default window and one daily cycle).
 */
public final class ForecastQualityBench {
    static final Duration HISTORY = Duration.ofHours(48);
    static final Duration FUTURE = Duration.ofHours(48);
    static final Duration AFTER = Duration.ofHours(24);
    static final Duration WALK_BEFORE_T0 = Duration.ofHours(24);
    static final Duration EVAL_EVERY = Duration.ofMinutes(10);
    static final int TOP = 10;
    /** Fleets per scenario: one 200-host fleet leaves P@10 at the mercy of a single host. */
    static final int FLEETS = 3;
    static final int RANK_INSTANTS = 6;
    static final Duration RANK_EVERY = Duration.ofHours(4);
    static final int BACKGROUND_FLAT = 100;
    static final int BACKGROUND_HIGH = 30;
    static final int BACKGROUND_DIURNAL = 40;
    static final int FEATURED = 30;

    enum Scenario {
        FLAT("flat near max", Shape.EDGE_FLAT),
        DIURNAL("diurnal growth", Shape.DIURNAL_GROW),
        GROWTH("steady growth", Shape.GROWTH),
        LEAK("slow leak", Shape.LEAK),
        SPIKE("sudden spike", Shape.SPIKE),
        FULL("already full", Shape.FULL, Shape.GROWTH),
        MIXED("mixed", Shape.EDGE_FLAT, Shape.DIURNAL_GROW, Shape.GROWTH, Shape.LEAK, Shape.SPIKE, Shape.FULL);

        final String label;
        final Shape[] featured;

        Scenario(String label, Shape... featured) {
            this.label = label;
            this.featured = featured;
        }
    }

    interface Method {
        String name();

        boolean flagged(HostHistory h, Instant now);

        List<String> order(List<HostHistory> hosts, Instant now);
    }

    record Result(String scenario, String window, String method, double precision, double leadHours, int missed,
            int fillers, int falseAlarms) {}

    /** Mean P@10 over fleets, lead averaged over every filling host, counts summed. */
    static Result combine(List<Result> rs) {
        double p = 0;
        int pn = 0;
        double leadHostHours = 0;
        int missed = 0;
        int fillers = 0;
        int falseAlarms = 0;
        for (Result r : rs) {
            if (!Double.isNaN(r.precision())) {
                p += r.precision();
                pn++;
            }
            if (r.fillers() > 0) {
                leadHostHours += r.leadHours() * r.fillers();
            }
            missed += r.missed();
            fillers += r.fillers();
            falseAlarms += r.falseAlarms();
        }
        Result first = rs.get(0);
        return new Result(first.scenario(), first.window(), first.method(), pn == 0 ? Double.NaN : p / pn,
                fillers == 0 ? Double.NaN : leadHostHours / fillers, missed, fillers, falseAlarms);
    }

    public static void main(String[] args) {
        List<Result> results = new ArrayList<>();
        long started = System.nanoTime();
        List<Duration> windows = new ArrayList<>();
        for (String a : args) {
            windows.add(Duration.ofHours(Long.parseLong(a)));
        }
        if (windows.isEmpty()) {
            windows = List.of(Duration.ofHours(1), Duration.ofHours(24));
        }
        for (Duration window : windows) {
            for (Scenario s : Scenario.values()) {
                List<List<Host>> fleets = new ArrayList<>();
                for (int f = 0; f < FLEETS; f++) {
                    fleets.add(fleet(s, 1000 + 100L * f + s.ordinal()));
                }
                for (Method m : methods()) {
                    List<Result> perFleet = new ArrayList<>();
                    for (List<Host> fleet : fleets) {
                        perFleet.add(evaluate(s, fleet, window, m));
                    }
                    results.add(combine(perFleet));
                }
            }
        }
        print(results);
        System.out.printf(Locale.ROOT, "%nran in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    static List<Method> methods() {
        Ranker ranker = new Ranker(RankerConfig.defaults());
        double horizon = RankerConfig.defaults().growthHorizon().toSeconds();
        Method ours = new Method() {
            public String name() {
                return "ours";
            }

            public boolean flagged(HostHistory h, Instant now) {
                return ranker.assess(h, now).status().flagged();
            }

            public List<String> order(List<HostHistory> hosts, Instant now) {
                return ranker.rank(hosts, now).stream().map(HostRank::host).toList();
            }
        };
        Method fillOnly = new Method() {
            public String name() {
                return "fill-only";
            }

            public boolean flagged(HostHistory h, Instant now) {
                return (double) h.count() / h.max() >= 0.75;
            }

            public List<String> order(List<HostHistory> hosts, Instant now) {
                return hosts.stream()
                        .sorted(Comparator.comparingDouble((HostHistory h) -> -(double) h.count() / h.max())
                                .thenComparing(HostHistory::host))
                        .map(HostHistory::host).toList();
            }
        };
        Method predictLinear = new Method() {
            public String name() {
                return "predict_linear";
            }

            public boolean flagged(HostHistory h, Instant now) {
                OptionalDouble eta = PredictLinear.forecast(h.points(), now, h.max()).etaSeconds();
                return eta.isPresent() && eta.getAsDouble() <= 6 * 3600;
            }

            public List<String> order(List<HostHistory> hosts, Instant now) {
                record Keyed(HostHistory h, double eta) {}
                return hosts.stream()
                        .map(h -> {
                            OptionalDouble eta = PredictLinear.forecast(h.points(), now, h.max()).etaSeconds();
                            return new Keyed(h, eta.isPresent() && eta.getAsDouble() <= horizon
                                    ? eta.getAsDouble() : Double.POSITIVE_INFINITY);
                        })
                        .sorted(Comparator.comparingDouble(Keyed::eta)
                                .thenComparingDouble(k -> -(double) k.h().count() / k.h().max())
                                .thenComparing(k -> k.h().host()))
                        .map(k -> k.h().host()).toList();
            }
        };
        return List.of(ours, fillOnly, predictLinear);
    }

    static List<Host> fleet(Scenario s, long seed) {
        Random rnd = new Random(seed);
        int t0 = SyntheticFleet.samples(HISTORY);
        int length = t0 + SyntheticFleet.samples(FUTURE.plus(AFTER)) + 1;
        List<Host> hosts = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < BACKGROUND_FLAT; i++) {
            hosts.add(SyntheticFleet.make(String.format("h%03d", n++), Shape.FLAT, length, t0, rnd));
        }
        for (int i = 0; i < BACKGROUND_HIGH; i++) {
            hosts.add(SyntheticFleet.make(String.format("h%03d", n++), Shape.HIGH_FLAT, length, t0, rnd));
        }
        for (int i = 0; i < BACKGROUND_DIURNAL; i++) {
            hosts.add(SyntheticFleet.make(String.format("h%03d", n++), Shape.DIURNAL, length, t0, rnd));
        }
        for (int i = 0; i < FEATURED; i++) {
            Shape shape = s.featured[i % s.featured.length];
            if (s == Scenario.FULL) {
                shape = i < 8 ? Shape.FULL : Shape.GROWTH;
            }
            hosts.add(SyntheticFleet.make(String.format("h%03d", n++), shape, length, t0, rnd));
        }
        return hosts;
    }

    static Result evaluate(Scenario s, List<Host> fleet, Duration window, Method m) {
        int t0 = SyntheticFleet.samples(HISTORY);
        int w = SyntheticFleet.samples(window);
        int end = t0 + SyntheticFleet.samples(FUTURE);
        int truthEnd = end + SyntheticFleet.samples(AFTER);
        int walkStart = t0 - SyntheticFleet.samples(WALK_BEFORE_T0);
        int every = SyntheticFleet.samples(EVAL_EVERY);

        // Ranking quality at six instants a day apart by 4h: one instant would test one phase of the daily cycle.
        double precisionSum = 0;
        int instants = 0;
        for (int k = 0; k < RANK_INSTANTS; k++) {
            int now = t0 + k * SyntheticFleet.samples(RANK_EVERY);
            double p = precisionAt(fleet, now, w, now + SyntheticFleet.samples(FUTURE), m);
            if (!Double.isNaN(p)) {
                precisionSum += p;
                instants++;
            }
        }
        double precision = instants == 0 ? Double.NaN : precisionSum / instants;

        // Warning lead time and false alarms along the walk.
        double leadSum = 0;
        int fillers = 0;
        int missed = 0;
        int falseAlarms = 0;
        for (Host h : fleet) {
            int full = h.firstFull(walkStart, truthEnd);
            int firstFlag = -1;
            for (int now = walkStart; now <= end && (full < 0 || now < full); now += every) {
                if (m.flagged(h.history(now, w), SyntheticFleet.at(now))) {
                    firstFlag = now;
                    break;
                }
            }
            if (full > walkStart && full <= end) {
                fillers++;
                if (firstFlag >= 0) {
                    leadSum += (full - firstFlag) * SyntheticFleet.STEP.toSeconds() / 3600.0;
                } else {
                    missed++;
                }
            } else if (full < 0 && firstFlag >= 0) {
                falseAlarms++;
            }
        }
        return new Result(s.label, window.toHours() + "h", m.name(), precision,
                fillers == 0 ? Double.NaN : leadSum / fillers, missed, fillers, falseAlarms);
    }

    /** P@10 at {@code now}: hosts full within the window before now tie as earliest. */
    static double precisionAt(List<Host> fleet, int now, int w, int until, Method m) {
        List<Integer> fullAt = new ArrayList<>();
        for (Host h : fleet) {
            int f = h.firstFull(now - w + 1, until);
            fullAt.add(f < 0 ? Integer.MAX_VALUE : Math.max(f, now));
        }
        List<Integer> sorted = fullAt.stream().filter(f -> f != Integer.MAX_VALUE).sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int cutoff = sorted.get(Math.min(TOP, sorted.size()) - 1);
        Set<String> relevant = new HashSet<>();
        for (int i = 0; i < fleet.size(); i++) {
            if (fullAt.get(i) <= cutoff) {
                relevant.add(fleet.get(i).id);
            }
        }
        List<HostHistory> at = fleet.stream().map(h -> h.history(now, w)).toList();
        List<String> top = m.order(at, SyntheticFleet.at(now)).subList(0, TOP);
        long hits = top.stream().filter(relevant::contains).count();
        return (double) hits / Math.min(TOP, sorted.size());
    }

    static void print(List<Result> results) {
        System.out.printf(Locale.ROOT, "%-16s %-6s %-15s %6s %9s %7s %6s%n",
                "scenario", "window", "method", "P@10", "lead(h)", "missed", "false");
        String last = "";
        for (Result r : results) {
            String key = r.window() + r.scenario();
            if (!key.equals(last) && !last.isEmpty()) {
                System.out.println();
            }
            last = key;
            System.out.printf(Locale.ROOT, "%-16s %-6s %-15s %6s %9s %7s %6d%n",
                    r.scenario(), r.window(), r.method(),
                    Double.isNaN(r.precision()) ? "n/a" : String.format(Locale.ROOT, "%.2f", r.precision()),
                    Double.isNaN(r.leadHours()) ? "n/a" : String.format(Locale.ROOT, "%.2f", r.leadHours()),
                    r.missed() + "/" + r.fillers(), r.falseAlarms());
        }
    }

    private ForecastQualityBench() {}
}
