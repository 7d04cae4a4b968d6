package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The forecaster's shortcuts give what the long way gives. */
class ForecastNumericsTest {
    @Test
    void chanceAgreesWithExpm1ToOneUlp() {
        Random rnd = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            // Tiny rates (the series), rates near the switch, and large ones (expm1 itself).
            double h = switch (i % 3) {
                case 0 -> Math.pow(10, -5 - 300 * rnd.nextDouble());
                case 1 -> 2e-5 * rnd.nextDouble();
                default -> 50 * rnd.nextDouble();
            };
            double expected = -Math.expm1(-h);
            assertTrue(Math.abs(Outlook.chance(h) - expected) <= Math.ulp(expected), "h = " + h);
        }
        assertEquals(0.0, Outlook.chance(0));
    }

    @Test
    void madInAGivenArrayIsTheMadAndLeavesTheValues() {
        Random rnd = new Random(11);
        double[] v = new double[301];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian() * (i % 7 == 0 ? 5 : 1);
        }
        double[] before = v.clone();
        double center = Medians.median(v.clone(), v.length);
        double[] into = new double[v.length];
        assertEquals(Medians.madAbout(v, v.length, center), Medians.madAbout(v, v.length, center, into));
        assertEquals(List.of(box(before)), List.of(box(v)));
        // Against a sort: the 151st of the 301 sorted deviations.
        double[] dev = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            dev[i] = Math.abs(v[i] - center);
        }
        java.util.Arrays.sort(dev);
        assertEquals(1.4826 * dev[150], Medians.madAbout(v, v.length, center, into), 1e-15);
    }

    @Test
    void spacingIsTheMedianGapEvenOrNot() {
        List<CountPoint> even = Series.counts(50, java.time.Duration.ofSeconds(10), 1000, i -> 100);
        assertEquals(10.0, Observations.of(even, Series.NOW, 1000).spacing, 1e-6);

        // Mostly 10 s apart, with an outage and a few late samples: the median gap is still 10 s.
        List<CountPoint> uneven = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 60; i++) {
            t += i == 30 ? 600 : i % 13 == 0 ? 17 : 10;
            uneven.add(new CountPoint(Series.NOW.minusSeconds(10_000 - t), 100, 1000));
        }
        Observations o = Observations.of(uneven, Series.NOW, 1000);
        assertEquals(10.0, o.spacing, 1e-6);
        assertTrue(o.gapBefore(30) && !o.gapBefore(31));

        assertEquals(0.0, Observations.of(even.subList(0, 1), Series.NOW, 1000).spacing);
    }

    private static Double[] box(double[] a) {
        Double[] out = new Double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
