package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether the count climbs steadily, with no daily cycle: what entries that never leave look like.
 *
 * <pre>
 *   line through the points below max:  count = a + b·t   (t in days)
 *   steady climb: span ≥ 20 h, b &gt; 0, b / se(b) ≥ 4, R² ≥ 0.9,
 *                 and the line rises over the span by ≥ 2 % of max (10 % of its start without a max)
 * </pre>
 *
 * <p>Why 20 hours and R²: a daily cycle seen for most of a day bends away from any line (a line
 * explains at most 61 % of a whole sine period's variance, whatever its phase), so a host whose
 * count a line explains to 90 % over 20 hours is not following the day. Points at max are left
 * out: a table that filled is clamped there, and its flat top is not the leak stopping.
 *
 * @param perDay   b, entries per day
 * @param span     the time the points cover
 */
public record SteadyClimb(double perDay, Duration span, double rSquared) {
    static final Duration MIN_SPAN = Duration.ofHours(20);
    private static final double DAY_SECONDS = 86_400;

    static Optional<SteadyClimb> of(List<CountPoint> points, long max, Instant now) {
        LeastSquares ls = new LeastSquares(2);
        double sum = 0;
        double sumSq = 0;
        Instant first = null;
        Instant last = null;
        for (CountPoint p : points) {
            long count = Peaks.of(p);
            if (max > 0 && count >= max) {
                continue;
            }
            double t = (p.ts().toEpochMilli() - now.toEpochMilli()) / 1000.0 / DAY_SECONDS;
            ls.add(new double[] {1, t}, count);
            sum += count;
            sumSq += (double) count * count;
            first = first == null ? p.ts() : first;
            last = p.ts();
        }
        int n = ls.size();
        if (n < 3 || Duration.between(first, last).compareTo(MIN_SPAN) < 0) {
            return Optional.empty();
        }
        LeastSquares.Fit fit = ls.solve();
        if (fit == null || fit.beta()[1] <= 0 || fit.t(1) < 4) {
            return Optional.empty();
        }
        double mean = sum / n;
        double total = sumSq - n * mean * mean;
        double residual = fit.residualStd() * fit.residualStd() * (n - 2);
        double r2 = total > 0 ? Math.max(0, 1 - residual / total) : 0;
        Duration span = Duration.between(first, last);
        double rise = fit.beta()[1] * span.toSeconds() / DAY_SECONDS;
        double start = fit.beta()[0] + fit.beta()[1] * (first.toEpochMilli() - now.toEpochMilli()) / 1000.0 / DAY_SECONDS;
        boolean matters = max > 0 ? rise >= 0.02 * max : rise >= 0.1 * Math.max(1, start);
        if (r2 < 0.9 || !matters) {
            return Optional.empty();
        }
        return Optional.of(new SteadyClimb(fit.beta()[1], span, r2));
    }
}
