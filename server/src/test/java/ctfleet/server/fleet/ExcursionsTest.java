package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The excursion rates read straight off two days of 10-minute buckets around a known flat level,
 * so each case sees what {@link Excursions} does and not what a fit in front of it did.
 */
class ExcursionsTest {
    private static final long MAX = FillForecasterTest.MAX;
    private static final int DAY = FillForecasterTest.DAY;

    private static Excursions around(double level, double sd, long seed, IntToDoubleFunction fill) {
        List<CountPoint> buckets = CountBuckets.forForecast(FillForecasterTest.minutes(sd, seed, fill),
                CountBuckets.MIN_CONTEXT);
        Observations o = Observations.of(buckets, Series.NOW, MAX);
        double[] w = new double[o.n];
        double[] fitted = new double[o.n];
        for (int i = 0; i < o.n; i++) {
            w[i] = o.censored[i] ? 0 : 1;
            fitted[i] = level;
        }
        return Excursions.of(o, w, fitted, level);
    }

    @Test
    void gaussianNoiseKeepsItsBell() {
        int noBurst = 0;
        for (long seed = 1; seed <= 5; seed++) {
            Excursions ex = around(0.90, 0.01, seed, ago -> 0.90);
            assertEquals(Double.POSITIVE_INFINITY, ex.ceiling, "seed " + seed);
            if (ex.bursts == 0) {
                double z = (0.05 - ex.center) / ex.scale;
                assertEquals(ex.upcrossRate * Math.exp(-0.5 * z * z), ex.rate(0.05, 0.90), 1e-18, "seed " + seed);
                noBurst++;
            }
        }
        assertTrue(noBurst >= 2, "most seeds draw no 4.5-sigma burst: " + noBurst);
    }

    @Test
    void peaksOfOneHeightBoundTheNoiseAtTheHighestSeen() {
        // Every 25 minutes: the buckets' peaks spread over two humps, none a burst, none above 82 %.
        Excursions ex = around(0.60, 0.005, 7, ago -> batch(ago, 25));
        assertEquals(0, ex.bursts);
        assertTrue(ex.ceiling > 0.20 && ex.ceiling < 0.24, "ceiling " + ex.ceiling);
        double z = (0.40 - ex.center) / ex.scale;
        double bell = ex.upcrossRate * Math.exp(-0.5 * z * z) * 86400;
        assertTrue(bell > 1, "a bell through the humps reaches max every day: " + bell);
        double day = ex.rate(0.40, 0.60) * 86400;
        assertTrue(day < 1e-3, "episodes a day reaching max: " + day);
        // Just above the highest seen: once in the window (two days less a bucket), no more.
        assertTrue(ex.rate(ex.ceiling + 1e-9, 0.60) * 86400 <= 0.51);
        assertTrue(ex.typical(0.60) <= ex.ceiling + 1e-12, "typical " + ex.typical(0.60));
        assertTrue(ex.reach(0.60) < ex.center + 8 * ex.scale, "reach " + ex.reach(0.60)); // draws skipped sooner
        assertTrue(ex.rate(ex.reach(0.60) + 1e-9, 0.60) < 1e-12);
    }

    @Test
    void manyBurstsOfOneHeightDecayAsTheirTopsSpread() {
        // Every hour: one bucket in six peaks at +22 points, 48 bursts of one height.
        Excursions ex = around(0.60, 0.005, 7, ago -> batch(ago, 60));
        assertTrue(ex.bursts >= Excursions.TOP, "bursts " + ex.bursts);
        double day = ex.rate(0.40, 0.60) * 86400;
        assertTrue(day < 1e-3, "episodes a day reaching max: " + day);
        // Within the heights seen nothing changed: all of them reached +15 points.
        assertEquals(ex.burstRate * ex.bursts / (ex.bursts + 1.0), ex.rate(0.15, 0.60) - noise(ex, 0.15), 1e-12);
        // The outlook skips every draw that stays below reach: just past the highest, not three
        // mean excesses past the threshold.
        assertTrue(ex.reach(0.60) < ex.highestBurst + 0.1, "reach " + ex.reach(0.60) + " highest " + ex.highestBurst);
        assertTrue(ex.rate(ex.reach(0.60) + 1e-9, 0.60) < 1e-12);
    }

    @Test
    void aFewBurstsKeepTheirMeanExcessTail() {
        // Three storms to 85 % in two days: too few to say where they stop.
        Excursions ex = around(0.60, 0.005, 7, ago -> ago % 960 < 20 ? 0.85 : 0.60);
        assertEquals(3, ex.bursts);
        double u = ex.highestBurst + 0.05;
        double tail = ex.burstRate / (ex.bursts + 1) * Math.exp(-0.05 / ex.burstMeanExcess);
        assertEquals(tail, ex.rate(u, 0.60) - noise(ex, u), tail * 1e-9);
        // Where the outlook stops evaluating a draw: past it, no rate is left to integrate.
        assertTrue(ex.rate(ex.reach(0.60) + 1e-9, 0.60) < 1e-12, "reach " + ex.reach(0.60));
    }

    @Test
    void peaksThatClimbAboveTheFitAreATrendNotACeiling() {
        // The same batches on a base that grows 6 points a day, read against a flat fit: the
        // newest peaks stand 12 points above the oldest, which no ceiling at the highest may cap.
        Excursions ex = around(0.60, 0.005, 7, ago -> batch(ago, 25) - 0.06 * ago / DAY);
        assertEquals(Double.POSITIVE_INFINITY, ex.ceiling);
        // Bursts alike: one of one height an hour on a base that grows 2 points a day. Beyond the
        // highest they keep the tail of their mean excess, not the spread of the highest few.
        Excursions bursts = around(0.60, 0.005, 7, ago -> batch(ago, 60) - 0.02 * ago / DAY);
        assertTrue(bursts.bursts >= Excursions.TOP, "bursts " + bursts.bursts);
        double u = bursts.highestBurst + 0.05;
        double tail = bursts.burstRate / (bursts.bursts + 1) * Math.exp(-0.05 / bursts.burstMeanExcess);
        assertEquals(tail, bursts.rate(u, 0.60) - noise(bursts, u), tail * 1e-9);
    }

    @Test
    void aClampedPeakLeavesTheCeilingOpen() {
        // The same batches, once to max: how far that one went is unknown, so nothing is bounded.
        Excursions ex = around(0.60, 0.005, 7, ago -> ago == 300 ? 1.2 : batch(ago, 25));
        assertEquals(Double.POSITIVE_INFINITY, ex.ceiling);
        double day = ex.rate(0.40, 0.60) * 86400;
        assertTrue(day > 0.1, "a table that was at max can be again: " + day);
    }

    /** A job that opens 22 points of flows every {@code period} minutes; they time out over 8. */
    private static double batch(int ago, int period) {
        return 0.60 + 0.22 * Math.exp(-Math.floorMod(-ago, period) / 8.0);
    }

    private static double noise(Excursions ex, double u) {
        double z = (u - ex.center) / ex.scale;
        return u <= ex.center ? ex.upcrossRate : ex.upcrossRate * Math.exp(-0.5 * z * z);
    }
}
