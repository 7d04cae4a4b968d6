package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * The trend of a host's daily peaks: the highest count in each whole day back from now, a
 * least-squares line through them, and whether a parabola beats that line clearly.
 *
 * <pre>
 *   line:      peak(x) = a + b·x                 x = the middle of the day, in days before now (≤ 0)
 *   parabola:  peak(x) = a + b·x + c·x²
 *   accelerating: ≥ 4 days, c &gt; 0, c / se(c) ≥ t(0.995, days − 3), and the parabola's slope now
 *                 (its b) at least 1.25 × the line's
 * </pre>
 *
 * <p>A growth trend needs {@link #MIN_DAYS} daily peaks: with less, a line through a day of a
 * daily cycle is its rising or falling half, and a 30-day extrapolation of it is the largest error
 * a plan can make (a +41,830/day "trend" from one evening's rise). The parabola's t test is the F
 * test of the nested models at 1 %: a linear trend with noise passes it once in a hundred. An
 * exponential (compounding) rise is convex too, so the parabola catches it as well.
 *
 * @param days          daily peaks used (a first day with under 23 hours of history is dropped)
 * @param levelNow      the line at now ({@code a}); 0 without a trend
 * @param slopePerDay   the line's slope ({@code b}); 0 without a trend
 * @param slopeT        b / se(b)
 * @param rSquared      how much of the peaks' variance the line explains
 * @param accelerating  the parabola beats the line as above
 * @param slopeNowIfAccelerating the parabola's slope at now, entries per day; 0 unless accelerating
 */
public record PeakTrend(int days, double levelNow, double slopePerDay, double slopeT, double rSquared,
                        boolean accelerating, double slopeNowIfAccelerating) {
    static final int MIN_DAYS = 3;
    private static final long DAY_SECONDS = 86_400;
    static final PeakTrend NONE = new PeakTrend(0, 0, 0, 0, 0, false, 0);

    public boolean hasTrend() {
        return days >= MIN_DAYS;
    }

    static PeakTrend of(List<CountPoint> points, Instant now) {
        if (points.isEmpty()) {
            return NONE;
        }
        TreeMap<Long, Long> peakByDay = new TreeMap<>();
        for (CountPoint p : points) {
            long daysBack = Math.floorDiv(Duration.between(p.ts(), now).toSeconds(), DAY_SECONDS);
            peakByDay.merge(daysBack, Peaks.of(p), Math::max);
        }
        long oldest = peakByDay.lastKey();
        Instant oldestDayStart = now.minusSeconds((oldest + 1) * DAY_SECONDS);
        // A partial first day has a falsely low peak and would fake growth; and two days and a few
        // minutes are not three days of peaks (a failover yesterday read as +30k/day).
        if (points.get(0).ts().isAfter(oldestDayStart.plusSeconds(3600))) {
            peakByDay.remove(oldest);
        }
        int days = peakByDay.size();
        if (days < MIN_DAYS) {
            return new PeakTrend(days, 0, 0, 0, 0, false, 0);
        }
        LeastSquares line = new LeastSquares(2);
        LeastSquares parabola = new LeastSquares(3);
        double sum = 0;
        double sumSq = 0;
        for (var e : peakByDay.entrySet()) {
            double x = -(e.getKey() + 0.5);
            double y = e.getValue();
            line.add(new double[] {1, x}, y);
            parabola.add(new double[] {1, x, x * x}, y);
            sum += y;
            sumSq += y * y;
        }
        LeastSquares.Fit l = line.solve();
        if (l == null) {
            return new PeakTrend(days, 0, 0, 0, 0, false, 0);
        }
        double mean = sum / days;
        double total = sumSq - days * mean * mean;
        double residual = l.residualStd() * l.residualStd() * (days - 2);
        double r2 = total > 0 ? Math.max(0, 1 - residual / total) : 1;
        boolean accelerating = false;
        double slopeNow = 0;
        if (days >= MIN_DAYS + 1) {
            LeastSquares.Fit q = parabola.solve();
            if (q != null && q.beta()[2] > 0 && q.t(2) >= tCritical(days - 3)
                    && l.beta()[1] > 0 && q.beta()[1] >= 1.25 * l.beta()[1]) {
                accelerating = true;
                slopeNow = q.beta()[1];
            }
        }
        return new PeakTrend(days, l.beta()[0], l.beta()[1], l.t(1), r2, accelerating, slopeNow);
    }

    // Student's t, two-sided 1 %, by degrees of freedom 1..30; beyond, the normal's 2.576 (a little
    // lenient below 60).
    private static final double[] T_995 = {63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169,
        3.106, 3.055, 3.012, 2.977, 2.947, 2.921, 2.898, 2.878, 2.861, 2.845, 2.831, 2.819, 2.807, 2.797, 2.787,
        2.779, 2.771, 2.763, 2.756, 2.750};

    static double tCritical(int dof) {
        return dof < 1 ? Double.POSITIVE_INFINITY : dof <= T_995.length ? T_995[dof - 1] : 2.576;
    }
}
