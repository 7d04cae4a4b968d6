package ctfleet.server.bench;

import ctfleet.server.bench.BenchFleet.Host;
import ctfleet.server.bench.BenchFleet.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fleets the forecaster was never tuned on, for {@link HeldOutBench}: shapes that {@link BenchFleet}
 * does not draw (growth that compounds, arrives in steps or stops; crests that rise while troughs stay;
 * periodic batches; drains that come back; counts that wander), over a background of its own (flat
 * with heavy-tailed noise, office-hours plateaus, slow drift). Written after the forecaster was tuned
 * and judged on {@link BenchFleet}, and not used to tune it: its numbers are what a fleet nobody
 * tuned to gets. Counts settling after a step of traffic were added in stop 40, with the change they
 * measure (so that shape's tune seeds did tune it).
 *
 * <p>Same clock and truth as {@link BenchFleet}: a minute per sample, ranking instants from
 * {@link BenchFleet#T0}, counts clamped at max, refused connections counted while demand is above it.
 */
final class HeldOutFleet {
    private static final int LENGTH = BenchFleet.LENGTH;
    private static final int T0 = BenchFleet.T0;
    private static final int HOUR = BenchFleet.PER_HOUR;
    private static final int DAY = BenchFleet.PER_DAY;

    /** The held-out scenarios: featured hosts of one shape over the held-out background, and a mix. */
    enum Shape {
        COMPOUND("compounding growth"),
        STEPS("onboarding steps"),
        STOPS("growth that stops"),
        CRESTS("rising crests"),
        BATCHES("periodic batches"),
        DRAIN("drained and back"),
        WALK("random walk near max"),
        SETTLES("settling after a step"),
        MIX("held-out mix");

        final String label;

        Shape(String label) {
            this.label = label;
        }
    }

    private enum Quiet { FLAT, OFFICE, DRIFT }

    static List<Host> fleet(Shape s, long seed, int size) {
        Random rnd = new Random(seed);
        int featured = s == Shape.MIX ? size * 2 / 5 : Math.max(10, size * 3 / 20);
        List<Host> hosts = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            // The id names what the host does, for reading a ranking by eye; the methods never see it.
            if (i < size - featured) {
                Quiet q = Quiet.values()[rnd.nextInt(Quiet.values().length)];
                hosts.add(host(String.format("%03d-%s", i, q.name().toLowerCase()), quiet(q, rnd), Kind.FLAT, rnd));
            } else {
                Shape shape = s == Shape.MIX ? Shape.values()[rnd.nextInt(Shape.values().length - 1)] : s;
                hosts.add(host(String.format("%03d-%s", i, shape.name().toLowerCase()), featured(shape, rnd),
                        Kind.GROWTH, rnd));
            }
        }
        return hosts;
    }

    private static double[] quiet(Quiet q, Random rnd) {
        double[] d = new double[LENGTH];
        switch (q) {
            case FLAT -> Arrays.fill(d, 0.05 + rnd.nextDouble() * 0.65);
            case OFFICE -> {
                double night = 0.05 + rnd.nextDouble() * 0.3;
                double day = Math.min(0.85, night + 0.1 + rnd.nextDouble() * 0.45);
                int opens = (6 + rnd.nextInt(5)) * HOUR;
                int hours = (8 + rnd.nextInt(6)) * HOUR;
                boolean weekends = rnd.nextBoolean();
                for (int i = 0; i < LENGTH; i++) {
                    boolean weekend = weekends && (i / DAY) % 7 >= 5;
                    d[i] = weekend ? night : night + (day - night) * office(i % DAY, opens, hours);
                }
            }
            case DRIFT -> walk(d, 0.3 + rnd.nextDouble() * 0.45, (12 + rnd.nextDouble() * 60) * HOUR,
                    0.02 + rnd.nextDouble() * 0.05, 0.95, rnd);
        }
        return d;
    }

    private static double[] featured(Shape s, Random rnd) {
        double[] d = new double[LENGTH];
        switch (s) {
            case COMPOUND -> {
                // A tenant whose traffic compounds: doubling every half day to five days.
                double r = Math.log(2) / ((0.5 + rnd.nextDouble() * 4.5) * DAY);
                double fullAt = T0 + (2 + rnd.nextDouble() * 148) * HOUR;
                for (int i = 0; i < LENGTH; i++) {
                    d[i] = Math.max(0.02, Math.exp(-r * (fullAt - i)));
                }
            }
            case STEPS -> {
                // Customers moved over in batches: a step every few hours, until the move is done.
                double level = 0.3 + rnd.nextDouble() * 0.3;
                double every = (3 + rnd.nextDouble() * 9) * HOUR;
                double done = rnd.nextDouble() < 0.3 ? T0 + rnd.nextDouble() * 2 * DAY : LENGTH;
                double next = rnd.nextDouble() * every;
                int ramp = 1 + rnd.nextInt(10);
                double from = level;
                double stepAt = -ramp;
                for (int i = 0; i < LENGTH; i++) {
                    if (i >= next && i < done) {
                        from = level;
                        level += 0.04 + rnd.nextDouble() * 0.08;
                        stepAt = i;
                        next = i + every * (0.5 + rnd.nextDouble());
                    }
                    double into = i - stepAt;
                    d[i] = into < ramp ? from + (level - from) * into / ramp : level;
                }
            }
            case STOPS -> {
                // Growth until a migration finishes: some finish before max, some after.
                double start = 0.1 + rnd.nextDouble() * 0.3;
                double fullAt = T0 + (1 + rnd.nextDouble() * 119) * HOUR;
                double rate = (1 - start) / fullAt;
                double stopAt = T0 + (-12 + rnd.nextDouble() * 84) * HOUR;
                for (int i = 0; i < LENGTH; i++) {
                    d[i] = start + rate * Math.min(i, stopAt);
                }
            }
            case CRESTS -> {
                // Evenings get busier day by day while nights stay as they were.
                double night = 0.15 + rnd.nextDouble() * 0.25;
                double crest0 = night + 0.15 + rnd.nextDouble() * 0.25;
                double fullAt = T0 + (6 + rnd.nextDouble() * 154) * HOUR;
                double perMinute = (1.02 - crest0) / fullAt;
                int opens = (8 + rnd.nextInt(6)) * HOUR;
                int hours = (5 + rnd.nextInt(8)) * HOUR;
                for (int i = 0; i < LENGTH; i++) {
                    double crest = crest0 + perMinute * i;
                    d[i] = night + (crest - night) * office(i % DAY, opens, hours);
                }
            }
            case BATCHES -> {
                // A job that opens a burst of connections on a schedule; they time out over minutes.
                double base = 0.25 + rnd.nextDouble() * 0.35;
                double height = 0.1 + rnd.nextDouble() * 0.25;
                int period = 30 + rnd.nextInt(91);
                int offset = rnd.nextInt(period);
                double decay = 3 + rnd.nextDouble() * 15;
                boolean grows = rnd.nextDouble() < 0.7;
                double fullAt = T0 + (2 + rnd.nextDouble() * 148) * HOUR;
                double rate = grows ? (1.01 - base - height) / fullAt : 0;
                if (!grows) {
                    height = Math.min(height, 0.93 - base);
                }
                for (int i = 0; i < LENGTH; i++) {
                    int since = Math.floorMod(i - offset, period);
                    d[i] = Math.max(0.02, base + rate * i) + height * Math.exp(-since / decay);
                }
            }
            case DRAIN -> {
                // Drained for maintenance, then back: to its old level, or to more (it took a peer's share).
                double base = 0.75 + rnd.nextDouble() * 0.2;
                double at = T0 + (-20 + rnd.nextDouble() * 50) * HOUR;
                double away = (1 + rnd.nextDouble() * 5) * HOUR;
                double back = 10 + rnd.nextDouble() * 20;
                double after = rnd.nextDouble() < 0.4 ? base + 0.08 + rnd.nextDouble() * 0.17 : base;
                for (int i = 0; i < LENGTH; i++) {
                    if (i < at) {
                        d[i] = base;
                    } else if (i < at + 5) {
                        d[i] = base + (0.05 - base) * (i - at) / 5;
                    } else if (i < at + away) {
                        d[i] = 0.05;
                    } else {
                        d[i] = Math.min(after, 0.05 + (after - 0.05) * (i - at - away) / back);
                    }
                }
            }
            case WALK -> walk(d, 0.7 + rnd.nextDouble() * 0.2, (6 + rnd.nextDouble() * 42) * HOUR,
                    0.03 + rnd.nextDouble() * 0.05, 2, rnd);
            case SETTLES -> {
                // Traffic steps up (a tenant arrives, a client fleet reconnects), and the count climbs to
                // its new level only as fast as old entries make way: 1 − e^(−t/L), L the connections'
                // lifetime, half an hour to six hours. Half settle below max, half would settle above it.
                double base = 0.15 + rnd.nextDouble() * 0.35;
                double level = rnd.nextDouble() < 0.5 ? 0.6 + rnd.nextDouble() * 0.35 : 1.05 + rnd.nextDouble() * 0.5;
                double life = (0.5 + rnd.nextDouble() * 5.5) * HOUR;
                double at = T0 + (-24 + rnd.nextDouble() * 60) * HOUR;
                for (int i = 0; i < LENGTH; i++) {
                    d[i] = i < at ? base : base + (level - base) * -Math.expm1(-(i - at) / life);
                }
            }
            case MIX -> throw new IllegalArgumentException("the mix draws a shape per host");
        }
        return d;
    }

    /** 0 at night, 1 in office hours, with hour-long cosine edges (a plateau, not a sine). */
    private static double office(int minuteOfDay, int opens, int hours) {
        double t = minuteOfDay - opens;
        if (t < -HOUR || t > hours + HOUR) {
            return 0;
        }
        if (t < 0) {
            return 0.5 + 0.5 * Math.cos(Math.PI * t / HOUR);
        }
        if (t > hours) {
            return 0.5 + 0.5 * Math.cos(Math.PI * (t - hours) / HOUR);
        }
        return 1;
    }

    /** An Ornstein–Uhlenbeck level around {@code mu} (stationary sd {@code sd}), capped at {@code cap}. */
    private static void walk(double[] d, double mu, double tau, double sd, double cap, Random rnd) {
        double a = Math.exp(-1 / tau);
        double step = sd * Math.sqrt(1 - a * a);
        double x = mu + sd * rnd.nextGaussian();
        for (int i = 0; i < LENGTH; i++) {
            x = mu + a * (x - mu) + step * rnd.nextGaussian();
            d[i] = Math.min(cap, Math.max(0.02, x));
        }
    }

    /** Heavy-tailed sampling noise, an occasional gap or reboot, and the count the kernel keeps. */
    private static Host host(String id, double[] demand, Kind kind, Random rnd) {
        long max = new long[] {65_536, 262_144, 1_048_576, 2_097_152}[rnd.nextInt(4)];
        double sigma = 0.002 + rnd.nextDouble() * 0.01;
        double phi = rnd.nextDouble() < 0.5 ? 0.3 : 0.6 + rnd.nextDouble() * 0.35;
        double innovation = sigma * Math.sqrt(1 - phi * phi);
        double e = 0;
        for (int i = 0; i < LENGTH; i++) {
            // Student's t with 3 degrees of freedom, scaled to unit variance: rare large readings.
            double chi2 = 0;
            for (int k = 0; k < 3; k++) {
                double g = rnd.nextGaussian();
                chi2 += g * g;
            }
            double t = rnd.nextGaussian() / Math.sqrt(chi2 / 3) / Math.sqrt(3);
            e = phi * e + innovation * t;
            demand[i] = Math.max(0, demand[i] + e);
        }
        double[] refill = new double[LENGTH];
        Arrays.fill(refill, 1);
        int[] boot = new int[LENGTH];
        Arrays.fill(boot, 1);
        boolean[] observed = new boolean[LENGTH];
        Arrays.fill(observed, true);
        if (rnd.nextDouble() < 0.05) {
            int at = T0 - DAY + rnd.nextInt(3 * DAY);
            double tau = 2 + rnd.nextDouble() * 30;
            for (int i = at; i < LENGTH; i++) {
                boot[i] = 2;
                observed[i] = i >= at + 2;
                refill[i] = i < at + 2 ? 0 : 1 - Math.exp(-(i - at - 1) / tau);
            }
        }
        if (rnd.nextDouble() < 0.05) {
            int at = T0 - DAY + rnd.nextInt(2 * DAY);
            Arrays.fill(observed, at, Math.min(LENGTH, at + 10 + rnd.nextInt(110)), false);
        }
        return new Host(id, kind, max, demand, refill, boot, observed, 1, null);
    }

    private HeldOutFleet() {}
}
