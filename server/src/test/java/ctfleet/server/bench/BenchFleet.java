package ctfleet.server.bench;

import ctfleet.server.fleet.ConntrackModule;
import ctfleet.server.fleet.CountBuckets;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.CounterPoint;
import ctfleet.server.fleet.HostHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fleets whose whole future is known, for {@link ForecastQualityBench}: each host is a demand curve
 * in units of its max, sampled every minute, with the noise, bursts, reboots, gaps and failovers
 * real gateways have, clamped at max as the kernel clamps {@code nf_conntrack_count}, and counting
 * the connections it refuses while demand exceeds max.
 *
 * <p>Time is a minute index: {@link #T0} (48 h in) is the first ranking instant, and the known
 * future runs {@link #FUTURE} past the last one, so "fills within 7 days" can be judged.
 */
final class BenchFleet {
    static final Duration STEP = Duration.ofMinutes(1);
    static final Instant EPOCH = Instant.parse("2026-01-05T00:00:00Z"); // a Monday
    static final int PER_HOUR = 60;
    static final int PER_DAY = 24 * PER_HOUR;
    static final int T0 = 2 * PER_DAY;
    /** Ranking instants: T0, T0 + 4h, ..., T0 + 20h. */
    static final int INSTANTS = 6;
    static final int INSTANT_EVERY = 4 * PER_HOUR;
    static final int FUTURE = 7 * PER_DAY + PER_HOUR;
    static final int LENGTH = T0 + (INSTANTS - 1) * INSTANT_EVERY + FUTURE;

    /** What a host does; scenarios are mixes of these. */
    enum Kind {
        FLAT, HIGH_FLAT, DIURNAL, EDGE_FLAT, DIURNAL_GROW, GROWTH, LEAK, SPIKE, FULL, SHIFT_UP, SHIFT_DOWN, WEEKLY,
        BURSTS, HETERO_GROWTH, FAILOVER
    }

    /** One host: truth at every minute and what its agent would have reported. */
    static final class Host {
        final String id;
        final Kind kind;
        final long max;
        final long[] count;
        final int[] boot;
        /** Cumulative refused connections (early_drop), as the agent sums them. */
        final long[] refused;
        /** The agent reported this minute (false in gaps, before a late start). */
        final boolean[] observed;
        /** Prefix counts of observed points, for quick window bounds. */
        private final int[] observedBefore;
        /** Samples per minute the agent takes. */
        final int sub;
        /** With more than one a minute: every sample (sample k of minute i at i·sub + k), else null. */
        private final int[] fine;

        Host(String id, Kind kind, long max, double[] demand, double[] refill, int[] boot, boolean[] observed, int sub,
                float[] between) {
            this.id = id;
            this.sub = sub;
            this.kind = kind;
            this.max = max;
            this.boot = boot;
            this.observed = observed;
            count = new long[LENGTH];
            refused = new long[LENGTH];
            observedBefore = new int[LENGTH + 1];
            long total = 0;
            for (int i = 0; i < LENGTH; i++) {
                double d = demand[i] * refill[i];
                count[i] = Math.max(0, Math.min(max, Math.round(d * max)));
                if (d > 1) {
                    total += 1 + Math.round((d - 1) * max * 0.05);
                }
                refused[i] = total;
                observedBefore[i + 1] = observedBefore[i] + (observed[i] ? 1 : 0);
            }
            if (sub == 1) {
                fine = null;
                return;
            }
            // Between minutes: the line between their demands plus the noise bridge. The minute a
            // reboot empties the table refills from its first sample on.
            fine = new int[LENGTH * sub];
            for (int i = 0; i < LENGTH; i++) {
                fine[i * sub] = (int) count[i];
                for (int k = 1; k < sub; k++) {
                    double next = i + 1 < LENGTH ? demand[i + 1] * refill[i + 1] : demand[i] * refill[i];
                    double here = demand[i] * refill[i];
                    double d = here + (next - here) * k / sub + between[i * sub + k] * refill[i];
                    fine[i * sub + k] = (int) Math.max(0, Math.min(max, Math.round(d * max)));
                }
            }
        }

        boolean fullAt(int i) {
            return count[i] >= max;
        }

        /**
         * First minute in [from, to] where the table is full, or -1: at any of the minute's samples,
         * since what the agent would have seen at max is what an operator calls full.
         */
        int firstFull(int from, int to) {
            for (int i = Math.max(0, from); i <= to && i < LENGTH; i++) {
                if (count[i] >= max) {
                    return i;
                }
                for (int k = 1; k < sub; k++) {
                    if (fine[i * sub + k] >= max) {
                        return i;
                    }
                }
            }
            return -1;
        }

        /** Whether the agent has reported anything up to and including minute {@code now}. */
        boolean reporting(int now) {
            return observedBefore[now + 1] > 0;
        }

        /** The raw points the agent reported in (now − window, now]. */
        List<CountPoint> raw(int now, int window) {
            int from = Math.max(0, now - window + 1);
            List<CountPoint> pts = new ArrayList<>(window * sub);
            for (int i = from; i <= now; i++) {
                if (!observed[i]) {
                    continue;
                }
                // The newest sample is minute now's first: the rest of that minute has not happened.
                for (int k = 0; k < (i == now ? 1 : sub); k++) {
                    long c = sub == 1 ? count[i] : fine[i * sub + k];
                    pts.add(new CountPoint(at(i, k, sub), c, max, c, 1, boot[i]));
                }
            }
            return pts;
        }

        /** What the server's ranking reads for a window ending at minute {@code now}. */
        HostHistory history(int now, int window) {
            Duration context = CountBuckets.context(STEP.multipliedBy(window));
            List<CountPoint> points = CountBuckets.forForecast(raw(now, (int) context.toMinutes()), context);
            int last = now;
            while (last > 0 && !observed[last]) {
                last--;
            }
            int first = Math.max(0, now - window + 1);
            while (first < now && !observed[first]) {
                first++;
            }
            int recent = Math.max(first, now - 10);
            while (recent > first && !observed[recent]) {
                recent--;
            }
            List<CounterPoint> counters = new ArrayList<>(3);
            counters.add(counter(first, first));
            if (recent > first && recent < last) {
                counters.add(counter(recent, first));
            }
            if (last > first) {
                counters.add(counter(last, first));
            }
            List<CountPoint> lastHour = raw(now, (int) CountBuckets.RAW_BELOW.toMinutes());
            return new HostHistory(id, Map.of("kind", kind.name().toLowerCase()), ConntrackModule.LOADED,
                    count[last], max, max, at(last), STEP.dividedBy(sub), points, counters, false,
                    points.size() == lastHour.size() ? List.of() : lastHour, false);
        }

        private CounterPoint counter(int i, int base) {
            // Increases since the window's start under one boot: what FleetHistories hands the ranking.
            return new CounterPoint(at(i), "b", Map.of("drop", 0L, "early_drop", refused[i] - refused[base],
                    "insert_failed", 0L));
        }
    }

    static Instant at(int minute) {
        return EPOCH.plus(STEP.multipliedBy(minute));
    }

    /** The time of sample {@code k} of the minute, for agents that sample {@code sub} times a minute. */
    static Instant at(int minute, int k, int sub) {
        return at(minute).plusSeconds(60L / sub * k);
    }

    /** A fleet of {@code size} hosts for a scenario (its featured kinds over a common background). */
    static List<Host> fleet(Scenario s, long seed, int size) {
        return fleet(s, seed, size, 1);
    }

    /**
     * @param sub samples per minute the agents take (a divisor of 60); the minute samples are the same
     *     whatever it is, and the truth (when a table is full) also counts the samples between them
     */
    static List<Host> fleet(Scenario s, long seed, int size, int sub) {
        if (sub < 1 || 60 % sub != 0) {
            throw new IllegalArgumentException("samples per minute must divide 60: " + sub);
        }
        Random rnd = new Random(seed);
        // Its own stream, so the minute samples do not depend on the resolution.
        Random fineRnd = new Random(seed * 7919 + 17);
        List<Draft> drafts = new ArrayList<>(size);
        int featured = s == Scenario.MIXED ? size : Math.max(10, size * 3 / 20);
        int background = size - featured;
        for (int i = 0; i < background; i++) {
            double u = rnd.nextDouble();
            Kind k = u < 0.59 ? Kind.FLAT : u < 0.77 ? Kind.HIGH_FLAT : Kind.DIURNAL;
            drafts.add(make(String.format("h%03d", i), k, s, rnd, sub, fineRnd));
        }
        for (int i = 0; i < featured; i++) {
            drafts.add(make(String.format("h%03d", background + i), s.kind(i, rnd), s, rnd, sub, fineRnd));
        }
        Draft waiting = null;
        for (Draft d : drafts) {
            if (d.kind() == Kind.FAILOVER) {
                if (waiting == null) {
                    waiting = d;
                } else {
                    failover(waiting, d, rnd);
                    waiting = null;
                }
            }
        }
        List<Host> hosts = new ArrayList<>(size);
        for (Draft d : drafts) {
            hosts.add(d.host());
        }
        return hosts;
    }

    /** The scenarios the benchmark reports, each a fleet whose featured hosts do one thing. */
    enum Scenario {
        FLAT_NEAR_MAX("flat near max", Kind.EDGE_FLAT),
        DIURNAL_GROWTH("diurnal growth", Kind.DIURNAL_GROW),
        STEADY_GROWTH("steady growth", Kind.GROWTH),
        SLOW_LEAK("slow leak", Kind.LEAK),
        SPIKE("sudden spike", Kind.SPIKE),
        FULL("already full", Kind.FULL, Kind.GROWTH),
        SHIFT_UP("level shift up", Kind.SHIFT_UP, Kind.GROWTH),
        SHIFT_DOWN("level shift down", Kind.SHIFT_DOWN, Kind.GROWTH),
        WEEKLY("weekly cycle", Kind.WEEKLY),
        BURSTS("bursts", Kind.BURSTS, Kind.GROWTH),
        GAPS("gaps", Kind.GROWTH, Kind.DIURNAL_GROW, Kind.EDGE_FLAT),
        REBOOTS("reboots", Kind.GROWTH, Kind.FLAT, Kind.DIURNAL_GROW),
        HETERO("noise grows with level", Kind.HETERO_GROWTH, Kind.GROWTH),
        SHORT("short histories", Kind.GROWTH, Kind.EDGE_FLAT, Kind.SHIFT_UP),
        FAILOVER("failover pairs", Kind.FAILOVER),
        MIXED("mixed");

        final String label;
        final Kind[] kinds;

        Scenario(String label, Kind... kinds) {
            this.label = label;
            this.kinds = kinds;
        }

        Kind kind(int i, Random rnd) {
            if (this == MIXED) {
                double u = rnd.nextDouble();
                // A realistic fleet: mostly quiet, a few of every kind of trouble.
                if (u < 0.30) {
                    return Kind.FLAT;
                }
                if (u < 0.42) {
                    return Kind.HIGH_FLAT;
                }
                if (u < 0.62) {
                    return Kind.DIURNAL;
                }
                if (u < 0.67) {
                    return Kind.WEEKLY;
                }
                if (u < 0.72) {
                    return Kind.GROWTH;
                }
                if (u < 0.75) {
                    return Kind.DIURNAL_GROW;
                }
                if (u < 0.77) {
                    return Kind.LEAK;
                }
                if (u < 0.80) {
                    return Kind.SHIFT_UP;
                }
                if (u < 0.82) {
                    return Kind.SHIFT_DOWN;
                }
                if (u < 0.86) {
                    return Kind.BURSTS;
                }
                if (u < 0.88) {
                    return Kind.SPIKE;
                }
                if (u < 0.89) {
                    return Kind.FULL;
                }
                if (u < 0.92) {
                    return Kind.EDGE_FLAT;
                }
                if (u < 0.94) {
                    return Kind.HETERO_GROWTH;
                }
                return Kind.FAILOVER;
            }
            return kinds[i % kinds.length];
        }
    }

    private static Draft make(String id, Kind kind, Scenario s, Random rnd, int sub, Random fineRnd) {
        long max = new long[] {65_536, 131_072, 262_144, 524_288}[rnd.nextInt(4)];
        double[] d = new double[LENGTH];
        double sigma = 0.002 + rnd.nextDouble() * 0.012;
        double phi = rnd.nextDouble() < 0.5 ? 0 : 0.5 + rnd.nextDouble() * 0.45;
        boolean hetero = kind == Kind.HETERO_GROWTH || rnd.nextDouble() < 0.2;
        double phase = rnd.nextDouble() * 2 * Math.PI;
        switch (kind) {
            case FLAT -> {
                double base = 0.05 + rnd.nextDouble() * 0.6;
                fill(d, i -> base);
            }
            case HIGH_FLAT -> {
                double base = 0.76 + rnd.nextDouble() * 0.14;
                sigma = Math.min(sigma, (0.97 - base) / 5);
                fill(d, i -> base);
            }
            case DIURNAL -> {
                double base = 0.2 + rnd.nextDouble() * 0.4;
                double amp = Math.min(0.05 + rnd.nextDouble() * 0.25, 0.9 - base);
                fill(d, i -> base + amp * daily(i, phase));
                sigma = Math.min(sigma, (0.97 - base - amp) / 5);
            }
            case EDGE_FLAT -> {
                double base = 0.95 + rnd.nextDouble() * 0.035;
                sigma = 0.003 + rnd.nextDouble() * 0.007;
                fill(d, i -> base);
                hetero = false;
            }
            case DIURNAL_GROW -> {
                double start = 0.2 + rnd.nextDouble() * 0.25;
                double amp = 0.15 + rnd.nextDouble() * 0.15;
                double crestFullAt = T0 + PER_HOUR * (2 + rnd.nextDouble() * 100);
                double rate = (1 - amp - start) / crestFullAt;
                fill(d, i -> start + rate * i + amp * daily(i, phase));
            }
            case GROWTH, HETERO_GROWTH -> {
                double start = 0.05 + rnd.nextDouble() * 0.35;
                double fullAt = T0 + PER_HOUR * (1 + rnd.nextDouble() * 120);
                double rate = (1 - start) / fullAt;
                fill(d, i -> start + rate * i);
                if (kind == Kind.HETERO_GROWTH) {
                    sigma = 0.01 + rnd.nextDouble() * 0.03; // at max; scaled down with the level below
                }
            }
            case LEAK -> {
                double amp = 0.01 + rnd.nextDouble() * 0.04;
                double rate = (0.003 + rnd.nextDouble() * 0.007) / PER_HOUR;
                double fullAt = T0 + PER_HOUR * (4 + rnd.nextDouble() * 160);
                double start = 1 - amp - rate * fullAt;
                fill(d, i -> Math.max(0.02, start + rate * i) + amp * daily(i, phase));
            }
            case SPIKE -> {
                double base = 0.1 + rnd.nextDouble() * 0.4;
                double begin = T0 + PER_HOUR * (-3 + rnd.nextDouble() * 44);
                double ramp = PER_HOUR * (0.3 + rnd.nextDouble() * 3.7);
                double top = rnd.nextDouble() < 0.7 ? 1.15 : Math.min(0.9, base + 0.2 + rnd.nextDouble() * 0.2);
                double hold = PER_HOUR * (2 + rnd.nextDouble() * 10);
                fill(d, i -> {
                    if (i < begin) {
                        return base;
                    }
                    if (i < begin + ramp) {
                        return base + (top - base) * (i - begin) / ramp;
                    }
                    if (i < begin + ramp + hold) {
                        return top;
                    }
                    return Math.max(base, top - (top - base) * (i - begin - ramp - hold) / PER_HOUR);
                });
            }
            case FULL -> {
                double base = 0.75 + rnd.nextDouble() * 0.1;
                double amp = 1.02 + rnd.nextDouble() * 0.08 - base;
                fill(d, i -> base + amp * daily(i, phase));
            }
            case SHIFT_UP -> {
                // Traffic failed over to it or a tenant moved in: up by a quarter to a half, then flat below max.
                double after = 0.85 + rnd.nextDouble() * 0.12;
                double before = after - (0.2 + rnd.nextDouble() * 0.25);
                double at = T0 + PER_HOUR * (-30 + rnd.nextDouble() * 50);
                double ramp = 1 + rnd.nextDouble() * 9;
                fill(d, i -> i < at ? before : i < at + ramp ? before + (after - before) * (i - at) / ramp : after);
                sigma = Math.min(sigma, (1 - after) / 4.5);
                hetero = false;
            }
            case SHIFT_DOWN -> {
                double before = 0.7 + rnd.nextDouble() * 0.25;
                double after = before - (0.2 + rnd.nextDouble() * 0.3);
                double at = T0 + PER_HOUR * (-30 + rnd.nextDouble() * 50);
                double ramp = 1 + rnd.nextDouble() * 9;
                fill(d, i -> i < at ? before : i < at + ramp ? before + (after - before) * (i - at) / ramp : after);
                sigma = Math.min(sigma, (1 - before) / 4.5);
            }
            case WEEKLY -> {
                // Busy weekdays, quiet weekends (a 2-hour ramp at each edge), a daily wave on top; some grow.
                double weekday = 0.45 + rnd.nextDouble() * 0.35;
                double weekend = weekday * (0.5 + rnd.nextDouble() * 0.3);
                double amp = 0.03 + rnd.nextDouble() * 0.12;
                double growth = rnd.nextDouble() < 0.4 ? (0.01 + rnd.nextDouble() * 0.06) / PER_DAY : 0;
                int shift = rnd.nextInt(7) * PER_DAY; // the week starts on a different day per host
                fill(d, i -> {
                    double w = weekdayShare((i + shift) % (7 * PER_DAY));
                    return weekend + (weekday - weekend) * w + amp * daily(i, phase) + growth * i;
                });
            }
            case BURSTS -> {
                double base = 0.3 + rnd.nextDouble() * 0.4;
                fill(d, i -> base);
                double every = PER_HOUR * (3 + rnd.nextDouble() * 9);
                for (double t = rnd.nextDouble() * every; t < LENGTH; t += -Math.log(1 - rnd.nextDouble()) * every) {
                    int len = 5 + rnd.nextInt(36);
                    double height = 0.1 + rnd.nextDouble() * 0.6;
                    for (int k = 0; k < len && t + k < LENGTH; k++) {
                        double shape = Math.sin(Math.PI * (k + 0.5) / len);
                        d[(int) t + k] += height * shape;
                    }
                }
                sigma = Math.min(sigma, 0.008);
            }
            case FAILOVER -> {
                // Pairs: this host and its partner (made just before it, or after) take each other's load
                // when one of them fails over, for an hour to a day at a time.
                double base = 0.25 + rnd.nextDouble() * 0.35;
                fill(d, i -> base + 0.05 * daily(i, phase));
            }
        }
        // Noise: AR(1) with stationary sd sigma (sampled counts share most of their entries minute to minute).
        double e = 0;
        double innovation = sigma * Math.sqrt(1 - phi * phi);
        double[] minuteNoise = sub > 1 ? new double[LENGTH] : null;
        double[] scales = sub > 1 ? new double[LENGTH] : null;
        for (int i = 0; i < LENGTH; i++) {
            e = phi * e + innovation * rnd.nextGaussian();
            double scale = hetero ? Math.max(0.1, d[i]) / (kind == Kind.HETERO_GROWTH ? 1 : 0.5) : 1;
            d[i] += e * scale;
            if (sub > 1) {
                minuteNoise[i] = e;
                scales[i] = scale;
            }
        }
        float[] between = sub > 1 ? between(minuteNoise, scales, sigma, phi, sub, fineRnd) : null;
        double[] refill = new double[LENGTH];
        java.util.Arrays.fill(refill, 1);
        int[] boot = new int[LENGTH];
        java.util.Arrays.fill(boot, 1);
        boolean[] observed = new boolean[LENGTH];
        java.util.Arrays.fill(observed, true);

        boolean rebooting = s == Scenario.REBOOTS ? rnd.nextDouble() < 0.8 : rnd.nextDouble() < 0.08;
        if (rebooting) {
            // A kernel update: the table starts empty and refills within minutes to what demand keeps open.
            int reboots = 1 + rnd.nextInt(3);
            for (int r = 0; r < reboots; r++) {
                int at = T0 - PER_DAY + rnd.nextInt(3 * PER_DAY);
                int down = 1 + rnd.nextInt(4);
                double tauMin = 2 + rnd.nextDouble() * 25;
                for (int i = at; i < LENGTH; i++) {
                    boot[i] += 1;
                    if (i < at + down) {
                        observed[i] = false;
                        refill[i] = 0;
                    } else {
                        refill[i] = Math.min(refill[i], 1 - Math.exp(-(i - at - down + 1) / tauMin));
                    }
                }
            }
        }
        boolean gaps = s == Scenario.GAPS ? rnd.nextDouble() < 0.9 : rnd.nextDouble() < 0.08;
        if (gaps) {
            int count = 1 + rnd.nextInt(4);
            for (int g = 0; g < count; g++) {
                int at = T0 - PER_DAY + rnd.nextInt(2 * PER_DAY);
                int len = 10 + rnd.nextInt(180);
                for (int i = at; i < Math.min(LENGTH, at + len); i++) {
                    observed[i] = false;
                }
            }
        }
        if (s == Scenario.SHORT && rnd.nextDouble() < 0.8) {
            // A host that started reporting recently: its first sample minutes to hours before an instant.
            int start = T0 - 6 * PER_HOUR + rnd.nextInt(24 * PER_HOUR);
            for (int i = 0; i < start; i++) {
                observed[i] = false;
            }
        }
        return new Draft(id, kind, max, d, refill, boot, observed, sub, between);
    }

    /**
     * The noise between minutes, for agents that sample {@code sub} times a minute: the same AR(1)
     * seen at the finer step (its correlation per step φ^(1/sub), so the process is one
     * Ornstein–Uhlenbeck process whatever the step), drawn as a bridge between the minute values
     * already drawn, so a fleet's minute samples are the same at every resolution. Returned as each
     * sample's deviation from the straight line between its two minutes, in fill units.
     */
    private static float[] between(double[] e, double[] scales, double sigma, double phi, int sub, Random rnd) {
        float[] dev = new float[LENGTH * sub];
        double rho = phi == 0 ? 0 : Math.pow(phi, 1.0 / sub);
        for (int i = 0; i + 1 < LENGTH; i++) {
            double x = e[i];
            double end = e[i + 1];
            for (int k = 1; k < sub; k++) {
                // x_k given x_(k-1) and the minute's end, sub − k + 1 steps ahead of x_(k-1).
                double a = rho;
                double b = Math.pow(rho, sub - k);
                double c = Math.pow(rho, sub - k + 1);
                double det = 1 - c * c;
                double mean = ((a - b * c) * x + (b - a * c) * end) / det;
                double var = sigma * sigma * Math.max(0, 1 - (a * a - 2 * a * b * c + b * b) / det);
                x = mean + Math.sqrt(var) * rnd.nextGaussian();
                double line = e[i] + (end - e[i]) * k / sub;
                dev[i * sub + k] = (float) ((x - line) * scales[i]);
            }
        }
        return dev;
    }

    /** A host before its counts are derived: failover pairs still move load between their demands. */
    private record Draft(String id, Kind kind, long max, double[] demand, double[] refill, int[] boot,
            boolean[] observed, int sub, float[] between) {
        Host host() {
            return new Host(id, kind, max, demand, refill, boot, observed, sub, between);
        }
    }

    /**
     * Failover between a pair: for an hour to a day at a time one gateway's load moves to the other
     * (in the other's fill units) and the first keeps almost nothing; some pairs overflow the survivor.
     */
    private static void failover(Draft a, Draft b, Random rnd) {
        int episodes = 1 + rnd.nextInt(3);
        for (int k = 0; k < episodes; k++) {
            int at = T0 - PER_DAY + rnd.nextInt(4 * PER_DAY);
            int len = PER_HOUR + rnd.nextInt(23 * PER_HOUR);
            Draft from = rnd.nextBoolean() ? a : b;
            Draft to = from == a ? b : a;
            double ratio = (double) from.max() / to.max();
            for (int i = at; i < Math.min(LENGTH, at + len); i++) {
                to.demand()[i] += from.demand()[i] * ratio;
                from.demand()[i] *= 0.02;
            }
        }
    }

    /** A daily wave peaking in the evening: rises over 14 hours, falls over 10 (two harmonics). */
    static double daily(int minute, double phase) {
        double a = 2 * Math.PI * minute / PER_DAY + phase;
        return (Math.sin(a) + 0.25 * Math.sin(2 * a)) / 1.1;
    }

    /** 1 on weekdays, 0 at weekends, with two-hour ramps; minute 0 is a Monday 00:00. */
    static double weekdayShare(int minuteOfWeek) {
        int weekend = 5 * PER_DAY;
        int ramp = 2 * PER_HOUR;
        if (minuteOfWeek < ramp) {
            return (double) minuteOfWeek / ramp;
        }
        if (minuteOfWeek < weekend) {
            return 1;
        }
        return Math.max(0, 1 - (double) (minuteOfWeek - weekend) / ramp);
    }

    private static void fill(double[] d, java.util.function.IntToDoubleFunction f) {
        for (int i = 0; i < d.length; i++) {
            d[i] = f.applyAsDouble(i);
        }
    }

    private BenchFleet() {}
}
