package ctfleet.server.fleet;

/**
 * The daily and weekly cycles a fit may include: sine and cosine columns of absolute (UTC) time,
 * so a gateway's evening crest is at the same phase every day whatever the window.
 *
 * <p>Which cycles a window can carry depends on its span: a day of data shows the daily wave with
 * its shape (two harmonics: NAT traffic rises faster than it falls, and a sine alone leaves that
 * asymmetry in the residuals, where it looks like a change of slope), and only two weeks tell a
 * weekly pattern from a trend.
 */
final class Seasonal {
    static final double DAY = Observations.DAY;
    static final double WEEK = 7 * DAY;
    static final double DAILY_MIN_SPAN = 20 * 3600;
    static final double WEEKLY_MIN_SPAN = 13 * DAY;

    /** Periods of the sine/cosine pairs, seconds; pairs for the 2nd harmonic follow the fundamental's. */
    private final double[] periods;
    private final int[] harmonic;

    private Seasonal(double[] periods, int[] harmonic) {
        this.periods = periods;
        this.harmonic = harmonic;
    }

    /** The cycles a window of this span can estimate; null when none. */
    static Seasonal forSpan(double spanSeconds) {
        if (spanSeconds < DAILY_MIN_SPAN) {
            return null;
        }
        if (spanSeconds < WEEKLY_MIN_SPAN) {
            return new Seasonal(new double[] {DAY, DAY}, new int[] {1, 2});
        }
        return new Seasonal(new double[] {DAY, DAY, WEEK, WEEK}, new int[] {1, 2, 1, 2});
    }

    int columns() {
        return 2 * periods.length;
    }

    /** Whether any weekly term is in. */
    boolean weekly() {
        return periods[periods.length - 1] == WEEK;
    }

    /**
     * Fills {@code out[offset..offset+columns())} for each of the given absolute times, written row
     * after row. The fundamentals are computed once per point; the second harmonics come from the
     * double-angle formulas, so a day-long window costs two trigonometric calls per point.
     */
    void design(double[] tSeconds, double[] out) {
        int c = columns();
        // The fundamentals' angles advance by the same step between evenly spaced points: rotate the
        // previous sine and cosine instead of calling the trigonometric functions (re-seeded exactly
        // every 64 points and at every uneven step, so rounding never builds up).
        double[] sin = new double[2];
        double[] cos = new double[2];
        double[] stepSin = new double[2];
        double[] stepCos = new double[2];
        double lastStep = Double.NaN;
        int sinceSeed = 0;
        for (int i = 0; i < tSeconds.length; i++) {
            double step = i == 0 ? Double.NaN : tSeconds[i] - tSeconds[i - 1];
            boolean seed = i == 0 || step != lastStep || sinceSeed >= 64;
            for (int f = 0; f < 2; f++) {
                double period = f == 0 ? DAY : WEEK;
                if (f == 1 && !weekly()) {
                    break;
                }
                if (seed) {
                    double angle = 2 * Math.PI * (tSeconds[i] % period) / period;
                    sin[f] = Math.sin(angle);
                    cos[f] = Math.cos(angle);
                    if (i > 0) {
                        double d = 2 * Math.PI * (step % period) / period;
                        stepSin[f] = Math.sin(d);
                        stepCos[f] = Math.cos(d);
                    }
                } else {
                    double s1 = sin[f] * stepCos[f] + cos[f] * stepSin[f];
                    double c1 = cos[f] * stepCos[f] - sin[f] * stepSin[f];
                    sin[f] = s1;
                    cos[f] = c1;
                }
            }
            sinceSeed = seed ? 0 : sinceSeed + 1;
            lastStep = step;
            int base = i * c;
            for (int h = 0; h < periods.length; h++) {
                int f = periods[h] == DAY ? 0 : 1;
                double s1 = sin[f];
                double c1 = cos[f];
                if (harmonic[h] == 1) {
                    out[base + 2 * h] = s1;
                    out[base + 2 * h + 1] = c1;
                } else {
                    out[base + 2 * h] = 2 * s1 * c1;
                    out[base + 2 * h + 1] = 1 - 2 * s1 * s1;
                }
            }
        }
    }

    /** The cycle's values at each of the given absolute times for these coefficients. */
    double[] values(double[] coef, int offset, double[] tSeconds) {
        int c = columns();
        double[] design = new double[tSeconds.length * c];
        design(tSeconds, design);
        double[] out = new double[tSeconds.length];
        for (int i = 0; i < tSeconds.length; i++) {
            double v = 0;
            for (int j = 0; j < c; j++) {
                v += coef[offset + j] * design[i * c + j];
            }
            out[i] = v;
        }
        return out;
    }

    /** The cycle's value at one absolute time for these coefficients (in the order of {@link #design}). */
    double value(double[] coef, int offset, double tSeconds) {
        double[] row = new double[columns()];
        design(new double[] {tSeconds}, row);
        double v = 0;
        for (int j = 0; j < row.length; j++) {
            v += coef[offset + j] * row[j];
        }
        return v;
    }
}
