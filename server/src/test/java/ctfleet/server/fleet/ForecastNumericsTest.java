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
    void theCurveWorkedOutWhereAskedIsTheWholeCurveRead() {
        // The outlook turns hazards into F only at the horizon and where bisection looks for the
        // quantiles: the answers must be the ones a pass over every step gives, to the bit.
        Random rnd = new Random(5);
        double[] tau = Outlook.grid(600, Outlook.REACH);
        int steps = tau.length;
        for (int trial = 0; trial < 2_000; trial++) {
            int draws = 1 + rnd.nextInt(84);
            double[] weight = new double[draws];
            double[] hazard = new double[draws * steps];
            int[] whole = new int[draws];
            double total = 0;
            for (int d = 0; d < draws; d++) {
                weight[d] = rnd.nextDouble() < 0.1 ? 0 : rnd.nextDouble();
                total += weight[d];
                // Rates from none at all to ones that make the draw certain within the week.
                double scale = Math.pow(10, -12 + 12 * rnd.nextDouble());
                whole[d] = rnd.nextDouble() < 0.3 ? rnd.nextInt(steps + 1) : steps;
                double h = 0;
                for (int j = 0; j < whole[d]; j++) {
                    h += rnd.nextDouble() < 0.2 ? 0 : scale * rnd.nextDouble();
                    hazard[d * steps + j] = h;
                }
            }
            total += rnd.nextDouble() < 0.5 ? 0 : rnd.nextDouble(); // draws skipped still weigh in the total
            double[] f = new double[steps];
            for (int d = 0; d < draws; d++) {
                for (int j = 0; j < steps; j++) {
                    f[j] += j >= whole[d] ? weight[d] : weight[d] * Outlook.chance(hazard[d * steps + j]);
                }
            }
            for (int j = 0; j < steps; j++) {
                f[j] = Math.min(1, f[j] / total);
            }
            Outlook.Curve curve = new Outlook.Curve(tau, weight, hazard, whole, draws, total);
            for (double q : new double[] {0.1, 0.5, 0.9, 1e-9, f[steps / 2], f[steps - 1]}) {
                assertEquals(scan(tau, f, q), curve.quantile(q), "trial " + trial + ", q " + q);
            }
            for (double t : new double[] {0, 3600, 86_400, 86_400 + 1234.5, Outlook.REACH, 2 * Outlook.REACH}) {
                assertEquals(interpolate(tau, f, t), curve.at(t), "trial " + trial + ", t " + t);
            }
        }
    }

    /** The first τ where f reaches q (less the curve's slack), step by step. */
    private static double scan(double[] tau, double[] f, double quantile) {
        double q = quantile - Outlook.SLACK;
        if (f[0] >= q) {
            return 0;
        }
        for (int j = 1; j < tau.length; j++) {
            if (f[j] >= q) {
                return tau[j - 1] + (q - f[j - 1]) / (f[j] - f[j - 1]) * (tau[j] - tau[j - 1]);
            }
        }
        return Double.NaN;
    }

    private static double interpolate(double[] tau, double[] f, double t) {
        if (t <= 0) {
            return f[0];
        }
        for (int j = 1; j < tau.length; j++) {
            if (tau[j] >= t) {
                return f[j - 1] + (t - tau[j - 1]) / (tau[j] - tau[j - 1]) * (f[j] - f[j - 1]);
            }
        }
        return f[f.length - 1];
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
