package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
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
    void aSparseRowIsTheSameRowWhateverOrderItsColumnsComeIn() {
        // Five columns, rows touching three of them (a level, a slope, a cycle term), listed in a
        // shuffled order: the fit must be the dense rows' fit. A shared slope listed after a later
        // regime's level once fell below the diagonal and was dropped.
        Random rnd = new Random(11);
        LeastSquares dense = new LeastSquares(5);
        LeastSquares sparse = new LeastSquares(5);
        double[] truth = {0.3, -0.2, 0.05, 0.7, 0.01};
        for (int i = 0; i < 400; i++) {
            int[] cols = {rnd.nextInt(2), 2 + rnd.nextInt(2), 4};
            double[] vals = {1 + rnd.nextDouble(), rnd.nextGaussian(), rnd.nextGaussian()};
            double[] row = new double[5];
            double y = 0.001 * rnd.nextGaussian();
            for (int c = 0; c < 3; c++) {
                row[cols[c]] = vals[c];
                y += truth[cols[c]] * vals[c];
            }
            dense.add(row, y);
            for (int c = 2; c > 0; c--) { // Fisher–Yates
                int s = rnd.nextInt(c + 1);
                int tc = cols[c];
                cols[c] = cols[s];
                cols[s] = tc;
                double tv = vals[c];
                vals[c] = vals[s];
                vals[s] = tv;
            }
            sparse.add(cols, vals, 3, y, 1);
        }
        LeastSquares.Fit a = dense.solve();
        LeastSquares.Fit b = sparse.solve();
        for (int j = 0; j < 5; j++) {
            assertEquals(truth[j], b.beta()[j], 0.001, "column " + j);
            assertEquals(a.beta()[j], b.beta()[j], 1e-9, "column " + j);
            assertEquals(a.standardError()[j], b.standardError()[j], 1e-9, "column " + j);
        }
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
    void theMedianIsTheSortedMiddleWhateverTheValuesLookLike() {
        // Noise, few distinct values (a flat host's residuals, many ties), all equal, sorted, reversed
        // with jitter: selection must give the sorted middle (and, past three values, where it
        // selects, leave the lower half below it).
        Random rnd = new Random(5);
        for (int t = 0; t < 20_000; t++) {
            int n = 1 + rnd.nextInt(400);
            int kind = t % 5;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (kind) {
                    case 0 -> rnd.nextGaussian();
                    case 1 -> rnd.nextInt(3);
                    case 2 -> 0.25;
                    case 3 -> i;
                    default -> n - i + rnd.nextInt(3);
                };
            }
            double[] sorted = v.clone();
            java.util.Arrays.sort(sorted);
            double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            double[] work = v.clone();
            assertEquals(expected, Medians.median(work, n), "kind " + kind + ", n " + n);
            for (int i = 0; n > 3 && i < n / 2; i++) {
                assertTrue(work[i] <= sorted[n / 2], "kind " + kind + ", n " + n + ", i " + i);
            }
        }
    }

    @Test
    void theBurstSearchFindsTheFirstPeakAtLeastAsHighAsABinarySearchDoes() {
        Random rnd = new Random(9);
        for (int t = 0; t < 20_000; t++) {
            double[] peaks = new double[rnd.nextInt(40)];
            for (int i = 0; i < peaks.length; i++) {
                peaks[i] = rnd.nextInt(4) == 0 && i > 0 ? peaks[i - 1] : rnd.nextInt(20) / 4.0;
            }
            java.util.Arrays.sort(peaks);
            double v = rnd.nextInt(5) == 0 ? Double.NaN : rnd.nextInt(22) / 4.0 - 0.125 * rnd.nextInt(2);
            int expected = 0;
            while (expected < peaks.length && peaks[expected] < v) {
                expected++;
            }
            assertEquals(expected, Excursions.lowerBound(peaks, v), java.util.Arrays.toString(peaks) + " " + v);
        }
    }

    @Test
    void aNaNAmongTheValuesDoesNotHangTheSelection() {
        double[] v = new double[300];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 3 == 0 ? Double.NaN : i;
        }
        double m = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> Medians.median(v, v.length));
        assertTrue(Double.isNaN(m) || (m >= 0 && m < 300), "a value of the array or NaN: " + m);
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
