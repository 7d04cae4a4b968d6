package ctfleet.server.fleet;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The estimator behind Prometheus' {@code predict_linear}: an ordinary least-squares line through
 * every point in the window, with its intercept at the query time.
 *
 * <pre>
 *   x_i = t_i - now (seconds),   b = cov(x, y) / var(x),   a = mean(y) - b * mean(x)
 *   eta = 0                 if a &gt;= max
 *       = (max - a) / b     if b &gt; 0 and max &gt; 0
 *       = absent            otherwise
 * </pre>
 *
 * <p>Kept as the baseline the benchmark compares {@link EnvelopeForecaster} against, and as the
 * fallback whenever the window is too short for anything smarter.
 */
public final class PredictLinear {
    private PredictLinear() {}

    public static Forecast forecast(List<CountPoint> points, Instant now, long max) {
        if (points.isEmpty()) {
            return Forecast.NONE;
        }
        double nowSec = seconds(now);
        LeastSquares ls = new LeastSquares(2);
        double[] row = {1, 0}; // one row reused: the ranking fits every host's window on each call
        for (CountPoint p : points) {
            row[1] = seconds(p.ts()) - nowSec;
            ls.add(row, p.count());
        }
        LeastSquares.Fit fit = ls.solve();
        if (fit == null) {
            // One instant only: a level without a trend.
            double last = points.get(points.size() - 1).count();
            return new Forecast(0, last, eta(last, 0, max));
        }
        double[] beta = fit.beta();
        return new Forecast(beta[1], beta[0], eta(beta[0], beta[1], max));
    }

    static OptionalDouble eta(double level, double slopePerSecond, long max) {
        if (max <= 0) {
            return OptionalDouble.empty();
        }
        if (level >= max) {
            return OptionalDouble.of(0);
        }
        return slopePerSecond > 0 ? OptionalDouble.of((max - level) / slopePerSecond) : OptionalDouble.empty();
    }

    static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
