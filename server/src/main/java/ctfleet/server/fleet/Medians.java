package ctfleet.server.fleet;

/**
 * Medians and median absolute deviations by selection, not sorting: the forecaster takes several
 * per host on every ranking call, over a few hundred points each.
 */
final class Medians {
    private Medians() {}

    /** The median of a[0..m); reorders a. NaN when m is 0. */
    static double median(double[] a, int m) {
        if (m == 0) {
            return Double.NaN;
        }
        if (m == 1) {
            return a[0];
        }
        if (m == 2) {
            return (a[0] + a[1]) / 2;
        }
        if (m == 3) {
            double x = a[0];
            double y = a[1];
            double z = a[2];
            return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
        }
        int half = m / 2;
        double hi = select(a, 0, m, half);
        if (m % 2 == 1) {
            return hi;
        }
        // After selecting index half, everything below it is <= a[half]: the lower middle is their largest.
        double lo = a[0];
        for (int i = 1; i < half; i++) {
            lo = Math.max(lo, a[i]);
        }
        return (lo + hi) / 2;
    }

    /** 1.4826 · the median absolute deviation of a[0..m) from its median; a is overwritten, not copied. */
    static double madInPlace(double[] a, int m) {
        return m == 0 ? 0 : scaledDeviation(a, a, m, median(a, m));
    }

    /**
     * 1.4826 · the median absolute deviation of v[0..m) from {@code center}, its median when the
     * caller has it already: v is left as it was.
     */
    static double madAbout(double[] v, int m, double center) {
        return m == 0 ? 0 : scaledDeviation(v, new double[m], m, center);
    }

    /** {@link #madAbout(double[], int, double)} worked out in {@code into} (m long at least, overwritten). */
    static double madAbout(double[] v, int m, double center, double[] into) {
        return m == 0 ? 0 : scaledDeviation(v, into, m, center);
    }

    /** 1.4826 · the median of |v[i] − center| over [0, m), computed in {@code into} (which may be v). */
    private static double scaledDeviation(double[] v, double[] into, int m, double center) {
        for (int i = 0; i < m; i++) {
            into[i] = Math.abs(v[i] - center);
        }
        return 1.4826 * median(into, m);
    }

    /** Below this many, a range is finished by insertion: partitioning it again costs more. */
    private static final int SMALL = 12;

    /**
     * a[k] in its sorted place among a[lo..hi), smaller ones before it, larger after. Quickselect
     * with a branch-free Lomuto partition: Hoare's scans mispredict about every other comparison
     * on noisy data, which made selection a third of the ranking's time; counting the smaller
     * ones with a conditional add leaves nothing to mispredict (about three times faster on a few
     * hundred points). A second pass gathers the ones equal to the pivot, so a run of equal values
     * (a flat host's residuals) ends the search instead of making it quadratic.
     */
    private static double select(double[] a, int lo, int hi, int k) {
        while (hi - lo > SMALL) {
            double x = a[lo];
            double y = a[(lo + hi) >>> 1];
            double z = a[hi - 1];
            double pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            if (pivot != pivot) {
                break; // NaN has no place in an order; insertion below still ends
            }
            int less = partition(a, lo, hi, pivot, false);
            if (k < less) {
                hi = less;
                continue;
            }
            int upTo = partition(a, less, hi, pivot, true);
            if (k < upTo) {
                return pivot;
            }
            lo = upTo;
        }
        for (int i = lo + 1; i < hi; i++) {
            double v = a[i];
            int j = i - 1;
            while (j >= lo && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
        return a[k];
    }

    /**
     * Moves the values of a[lo..hi) below the pivot (or, {@code orEqual}, not above it) to the
     * front, returning where the rest begin. Each value is swapped with the first of the rest
     * whether or not it belongs in front; only the count moves on the comparison.
     */
    private static int partition(double[] a, int lo, int hi, double pivot, boolean orEqual) {
        int s = lo;
        for (int i = lo; i < hi; i++) {
            double v = a[i];
            a[i] = a[s];
            a[s] = v;
            s += (orEqual ? v <= pivot : v < pivot) ? 1 : 0;
        }
        return s;
    }
}
