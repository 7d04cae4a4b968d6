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
        for (int i = 0; i < tSeconds.length; i++) {
            int base = i * c;
            double sinDay = 0;
            double cosDay = 0;
            double sinWeek = 0;
            double cosWeek = 0;
            for (int h = 0; h < periods.length; h++) {
                double s;
                double co;
                if (harmonic[h] == 1) {
                    double angle = 2 * Math.PI * (tSeconds[i] % periods[h]) / periods[h];
                    s = Math.sin(angle);
                    co = Math.cos(angle);
                    if (periods[h] == DAY) {
                        sinDay = s;
                        cosDay = co;
                    } else {
                        sinWeek = s;
                        cosWeek = co;
                    }
                } else {
                    double s1 = periods[h] == DAY ? sinDay : sinWeek;
                    double c1 = periods[h] == DAY ? cosDay : cosWeek;
                    s = 2 * s1 * c1;
                    co = 1 - 2 * s1 * s1;
                }
                out[base + 2 * h] = s;
                out[base + 2 * h + 1] = co;
            }
        }
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
