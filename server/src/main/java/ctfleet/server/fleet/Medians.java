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
        double hi = select(a, 0, m - 1, half);
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

    /** Hoare's selection: a[k] is in its sorted place, smaller ones before it, larger after. */
    private static double select(double[] a, int lo, int hi, int k) {
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[hi] < a[mid]) {
                swap(a, hi, mid);
            }
            double pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static void swap(double[] a, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
