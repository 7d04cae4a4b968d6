package ctfleet.server.bench;

import ctfleet.server.fleet.ConntrackModule;
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
 * Hosts whose whole future is known: a demand curve in units of max, sampled every
 * {@link #STEP}, clipped at max like the kernel clips {@code nf_conntrack_count}, with per-CPU
 * 32-bit drop counters that start just below the wrap.
 */
final class SyntheticFleet {
    static final Duration STEP = Duration.ofMinutes(5);
    static final Instant EPOCH = Instant.parse("2026-01-05T00:00:00Z");
    static final int CPUS = 4;
    private static final long WRAP = 1L << 32;

    enum Shape { FLAT, HIGH_FLAT, EDGE_FLAT, DIURNAL, DIURNAL_GROW, GROWTH, LEAK, SPIKE, FULL }

    /** One host: its demand (fraction of max) at every sample index, and derived samples. */
    static final class Host {
        final String id;
        final Shape shape;
        final long max;
        final double[] demand;
        final List<CountPoint> points = new ArrayList<>();
        final List<CounterPoint> counters = new ArrayList<>();

        Host(String id, Shape shape, long max, double[] demand, Random rnd) {
            this.id = id;
            this.shape = shape;
            this.max = max;
            this.demand = demand;
            long[] cpu = new long[CPUS];
            for (int c = 0; c < CPUS; c++) {
                cpu[c] = WRAP - 1 - rnd.nextInt(50_000);
            }
            for (int i = 0; i < demand.length; i++) {
                Instant ts = at(i);
                long count = Math.max(0, Math.min(max, Math.round(demand[i] * max)));
                points.add(new CountPoint(ts, count, max));
                if (demand[i] >= 1) {
                    // Refused inserts: proportional to the excess demand over the interval.
                    long refused = 1 + Math.round((demand[i] - 1) * max * 0.05);
                    int c = rnd.nextInt(CPUS);
                    cpu[c] = (cpu[c] + refused) % WRAP;
                }
                long sum = 0;
                for (long v : cpu) {
                    sum += v;
                }
                counters.add(new CounterPoint(ts, "boot-1", Map.of("drop", 0L, "early_drop", sum, "insert_failed", 0L)));
            }
        }

        /** First sample index at or after {@code from} where the table is full, or -1. */
        int firstFull(int from, int to) {
            for (int i = Math.max(0, from); i <= to && i < demand.length; i++) {
                if (points.get(i).count() >= max) {
                    return i;
                }
            }
            return -1;
        }

        HostHistory history(int nowIdx, int windowSamples) {
            int from = Math.max(0, nowIdx - windowSamples + 1);
            CountPoint last = points.get(nowIdx);
            return new HostHistory(id, Map.of("shape", shape.name().toLowerCase()), ConntrackModule.LOADED,
                    last.count(), max, max, last.ts(), STEP,
                    points.subList(from, nowIdx + 1), counters.subList(from, nowIdx + 1));
        }
    }

    static Instant at(int idx) {
        return EPOCH.plus(STEP.multipliedBy(idx));
    }

    static int samples(Duration d) {
        return (int) (d.toSeconds() / STEP.toSeconds());
    }

    /**
     * Demand curves. Times are sample indexes; {@code t0} is "now" at the ranking instant, and
     * shapes that fill are placed so some fill before t0, most in the future, some after it.
     */
    static Host make(String id, Shape shape, int length, int t0, Random rnd) {
        long max = new long[] {65_536, 131_072, 262_144}[rnd.nextInt(3)];
        double sigma = 0.004 + rnd.nextDouble() * 0.012;
        double[] d = new double[length];
        double perHour = samples(Duration.ofHours(1));
        double phase = rnd.nextDouble() * 2 * Math.PI;
        switch (shape) {
            case FLAT -> {
                double base = 0.05 + rnd.nextDouble() * 0.6;
                fill(d, i -> base);
            }
            case HIGH_FLAT -> {
                double base = 0.76 + rnd.nextDouble() * 0.14;
                sigma = Math.min(sigma, (0.97 - base) / 4.5);
                fill(d, i -> base);
            }
            case EDGE_FLAT -> {
                // Sitting just under max: noise alone touches max, some hosts much sooner than others.
                double base = 0.95 + rnd.nextDouble() * 0.035;
                sigma = 0.004 + rnd.nextDouble() * 0.006;
                fill(d, i -> base);
            }
            case DIURNAL -> {
                double base = 0.2 + rnd.nextDouble() * 0.4;
                double amp = Math.min(0.05 + rnd.nextDouble() * 0.25, 0.93 - base);
                fill(d, i -> base + amp * Math.sin(2 * Math.PI * i / (24 * perHour) + phase));
            }
            case GROWTH -> {
                double start = 0.05 + rnd.nextDouble() * 0.35;
                double fullAt = t0 + perHour * (1 + rnd.nextDouble() * 60);
                double rate = (1 - start) / fullAt;
                fill(d, i -> start + rate * i);
            }
            case DIURNAL_GROW -> {
                // Growth under a strong daily cycle: the crest fills long before the average does.
                double start = 0.2 + rnd.nextDouble() * 0.25;
                double amp = 0.15 + rnd.nextDouble() * 0.15;
                double crestFullAt = t0 + perHour * (2 + rnd.nextDouble() * 58);
                double rate = (1 - amp - start) / crestFullAt;
                fill(d, i -> start + rate * i + amp * Math.sin(2 * Math.PI * i / (24 * perHour) + phase));
            }
            case LEAK -> {
                // A few tenths of a percent per hour, a faint daily ripple, full some time in days.
                double amp = 0.01 + rnd.nextDouble() * 0.04;
                double rate = (0.003 + rnd.nextDouble() * 0.007) / perHour;
                double fullAt = t0 + perHour * (4 + rnd.nextDouble() * 80);
                double start = 1 - amp - rate * fullAt;
                fill(d, i -> Math.max(0.02, start + rate * i)
                        + amp * Math.sin(2 * Math.PI * i / (24 * perHour) + phase));
            }
            case SPIKE -> {
                double base = 0.1 + rnd.nextDouble() * 0.4;
                double begin = t0 + perHour * (-3 + rnd.nextDouble() * 44);
                double ramp = perHour * (0.3 + rnd.nextDouble() * 3.7);
                double top = rnd.nextDouble() < 0.7 ? 1.15 : Math.min(0.9, base + 0.2 + rnd.nextDouble() * 0.2);
                double hold = perHour * (2 + rnd.nextDouble() * 10);
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
                    return Math.max(base, top - (top - base) * (i - begin - ramp - hold) / perHour);
                });
            }
            case FULL -> {
                // Crests above max: full (and dropping) for part of each day, not necessarily now.
                double base = 0.75 + rnd.nextDouble() * 0.1;
                double amp = 1.02 + rnd.nextDouble() * 0.08 - base;
                fill(d, i -> base + amp * Math.sin(2 * Math.PI * i / (24 * perHour) + phase));
            }
        }
        for (int i = 0; i < length; i++) {
            d[i] += rnd.nextGaussian() * sigma;
        }
        return new Host(id, shape, max, d, rnd);
    }

    private static void fill(double[] d, java.util.function.IntToDoubleFunction f) {
        for (int i = 0; i < d.length; i++) {
            d[i] = f.applyAsDouble(i);
        }
    }

    private SyntheticFleet() {}
}
