package ctfleet.server.fleet;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * When will the table's <em>peaks</em> reach max? The estimator the ranker uses.
 *
 * <p>A table overflows at its peak, not at its average, and {@code predict_linear} extrapolates
 * the average. Four changes (the combination, not each change alone, is what
 * {@code ForecastQualityBench} measures against predict_linear and the 75% rule):
 *
 * <ol>
 *   <li><b>Daily cycle removed from the trend.</b> When the window spans at least 23 hours the
 *       fit is {@code y = a + b·x + c·sin(ωt) + d·cos(ωt)} with {@code ω = 2π / 1 day} and
 *       {@code x = t − now}; a straight line through part of a daily wave otherwise reports a
 *       phase-dependent slope of up to ±1.9·amplitude per day. Shorter windows fit
 *       {@code y = a + b·x} (the predict_linear line).
 *   <li><b>Only trends that stand out of the noise.</b> The slope counts only when
 *       {@code b / se(b) ≥ 2} (ordinary least-squares standard error); otherwise {@code b = 0}.
 *       Over a one-hour window a host with 1% noise shows slopes of ±1%/h by chance, and ranking
 *       by such an ETA is worse than ranking by fill.
 *   <li><b>Peak envelope.</b> {@code r = max(max_i (y_i − ŷ_i), s·√(2 ln n_day))}: the furthest
 *       the data rose above the model in the window (noise, bursts), but at least the largest
 *       excursion a day of Gaussian residuals (standard deviation s, n_day samples per day at
 *       the observed spacing) is expected to reach. The projected peak is
 *       {@code P(τ) = a + b·τ + c·sin(ω(now+τ)) + d·cos(ω(now+τ)) + r}; the ETA is the first
 *       {@code τ ≥ 0} with {@code P(τ) ≥ max}, found exactly for the line and by a 5-minute scan
 *       plus bisection within the day after {@code (max − a − r − √(c²+d²)) / b} otherwise (the
 *       next daily crest after that point is guaranteed to cross). With no trend (b ≤ 0) a
 *       crossing at today's crest still counts.
 *   <li><b>Recent acceleration.</b> The same line (on the de-seasoned data, with its own
 *       envelope) is fitted to the last hour (at least 6 samples); if its slope exceeds the long
 *       one by at least 3 of its standard errors, the ETA is the earlier of the two. A
 *       connection storm that started 40 minutes ago is diluted to nothing in a day-long fit.
 * </ol>
 *
 * <p>On a clean straight line all four collapse to predict_linear's answer.
 */
public final class EnvelopeForecaster {
    static final double DAY = 86_400;
    static final double OMEGA = 2 * Math.PI / DAY;
    static final double SEASONAL_MIN_SPAN = 23 * 3600;
    static final double RECENT_SPAN = 3600;
    static final int RECENT_MIN_POINTS = 6;
    /** A slope must be this many standard errors from zero to count as a trend. */
    static final double MIN_TREND_T = 2;
    /** The recent slope must beat the long one by this many of its standard errors. */
    static final double MIN_ACCELERATION_T = 3;
    private static final double SCAN_STEP = 300;

    private EnvelopeForecaster() {}

    public static Forecast forecast(List<CountPoint> points, Instant now, long max) {
        int n = points.size();
        if (n < 2) {
            return PredictLinear.forecast(points, now, max);
        }
        double nowSec = PredictLinear.seconds(now);
        double first = PredictLinear.seconds(points.get(0).ts());
        double last = PredictLinear.seconds(points.get(n - 1).ts());
        boolean seasonal = last - first >= SEASONAL_MIN_SPAN && n >= 12;

        LeastSquares ls = new LeastSquares(seasonal ? 4 : 2);
        double[] row = new double[seasonal ? 4 : 2]; // reused: the ranking fits every host's window on each call
        for (CountPoint p : points) {
            ls.add(row(row, PredictLinear.seconds(p.ts()), nowSec), p.count());
        }
        LeastSquares.Fit fit = ls.solve();
        if (fit == null) {
            return PredictLinear.forecast(points, now, max);
        }
        double[] beta = fit.beta();
        double slope = fit.t(1) >= MIN_TREND_T ? beta[1] / DAY : 0;
        double c = seasonal ? beta[2] : 0;
        double d = seasonal ? beta[3] : 0;
        double rLong = 0;
        for (CountPoint p : points) {
            double t = PredictLinear.seconds(p.ts());
            rLong = Math.max(rLong, p.count() - dot(beta, row(row, t, nowSec)));
        }
        double spacing = (last - first) / (n - 1);
        rLong = Math.max(rLong, expectedDailyExcursion(fit.residualStd(), spacing));
        Curve longFit = new Curve(beta[0], slope, c, d, rLong);
        Curve chosen = longFit;
        OptionalDouble eta = longFit.firstCrossing(nowSec, max);

        Curve recent = recentFit(points, nowSec, last, first, c, d, longFit.slope);
        if (recent != null) {
            OptionalDouble recentEta = recent.firstCrossing(nowSec, max);
            if (recentEta.isPresent() && (eta.isEmpty() || recentEta.getAsDouble() < eta.getAsDouble())) {
                eta = recentEta;
                chosen = recent;
            }
        }
        return new Forecast(chosen.slope, chosen.level + chosen.season(nowSec), eta);
    }

    /** Line through the last hour (or 6 samples, whichever is longer) with the daily wave taken out. */
    private static Curve recentFit(List<CountPoint> points, double nowSec, double last, double first, double c, double d,
            double longSlope) {
        int n = points.size();
        double spacing = (last - first) / (n - 1);
        double cutoff = last - Math.max(RECENT_SPAN, RECENT_MIN_POINTS * spacing);
        if (cutoff <= first) {
            return null; // the window is the recent part: nothing new to learn
        }
        int from = n;
        while (from > 0 && PredictLinear.seconds(points.get(from - 1).ts()) >= cutoff) {
            from--;
        }
        if (n - from < RECENT_MIN_POINTS) {
            return null;
        }
        Curve season = new Curve(0, 0, c, d, 0);
        LeastSquares ls = new LeastSquares(2);
        double[] row = {1, 0};
        for (int i = from; i < n; i++) {
            double t = PredictLinear.seconds(points.get(i).ts());
            row[1] = (t - nowSec) / DAY;
            ls.add(row, points.get(i).count() - season.season(t));
        }
        LeastSquares.Fit fit = ls.solve();
        if (fit == null) {
            return null;
        }
        double[] beta = fit.beta();
        double excess = beta[1] / DAY - longSlope;
        if (beta[1] <= 0 || excess * DAY < MIN_ACCELERATION_T * fit.standardError()[1]) {
            return null; // not steeper than the long trend by more than its own noise
        }
        double r = 0;
        for (int i = from; i < n; i++) {
            double t = PredictLinear.seconds(points.get(i).ts());
            double fitted = beta[0] + beta[1] * (t - nowSec) / DAY + season.season(t);
            r = Math.max(r, points.get(i).count() - fitted);
        }
        r = Math.max(r, expectedDailyExcursion(fit.residualStd(), spacing));
        return new Curve(beta[0], beta[1] / DAY, c, d, r);
    }

    /**
     * s·√(2 ln n) for n = samples per day at this spacing: about how far the largest of a day's
     * worth of Gaussian residuals rises above the fit. An hour-long window has seen only the
     * largest of a dozen (≈1.6 s) and would otherwise understate how close to max it will come.
     */
    static double expectedDailyExcursion(double residualStd, double spacingSeconds) {
        if (!(spacingSeconds > 0)) {
            return 0;
        }
        double perDay = Math.max(2, DAY / spacingSeconds);
        return residualStd * Math.sqrt(2 * Math.log(perDay));
    }

    /** Fills {@code row} (2 columns, or 4 with the daily wave) for time t and returns it. */
    private static double[] row(double[] row, double t, double nowSec) {
        row[0] = 1;
        row[1] = (t - nowSec) / DAY;
        if (row.length == 4) {
            row[2] = Math.sin(OMEGA * t);
            row[3] = Math.cos(OMEGA * t);
        }
        return row;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** P(τ) = level + slope·τ + c·sin(ω(now+τ)) + d·cos(ω(now+τ)) + r, τ in seconds from now. */
    private record Curve(double level, double slope, double c, double d, double r) {
        double season(double t) {
            return c * Math.sin(OMEGA * t) + d * Math.cos(OMEGA * t);
        }

        double at(double tau, double nowSec) {
            return level + slope * tau + season(nowSec + tau) + r;
        }

        OptionalDouble firstCrossing(double nowSec, long max) {
            if (max <= 0) {
                return OptionalDouble.empty();
            }
            if (at(0, nowSec) >= max) {
                return OptionalDouble.of(0);
            }
            double amp = Math.hypot(c, d);
            if (amp < 1e-9) {
                return slope > 0 ? OptionalDouble.of((max - level - r) / slope) : OptionalDouble.empty();
            }
            double lo;
            if (slope > 0) {
                lo = Math.max(0, (max - level - r - amp) / slope);
            } else if (level + r + amp >= max) {
                lo = 0; // no trend, but today's crest reaches max
            } else {
                return OptionalDouble.empty();
            }
            double prev = lo;
            if (at(lo, nowSec) >= max) {
                return OptionalDouble.of(lo);
            }
            for (double tau = lo + SCAN_STEP; tau <= lo + DAY + SCAN_STEP; tau += SCAN_STEP) {
                if (at(tau, nowSec) >= max) {
                    return OptionalDouble.of(bisect(prev, tau, nowSec, max));
                }
                prev = tau;
            }
            // Only reachable when the crest fell between scan steps; this bound is always crossed.
            return slope > 0 ? OptionalDouble.of((max - level - r + amp) / slope) : OptionalDouble.empty();
        }

        private double bisect(double below, double above, double nowSec, long max) {
            for (int i = 0; i < 20; i++) {
                double mid = (below + above) / 2;
                if (at(mid, nowSec) >= max) {
                    above = mid;
                } else {
                    below = mid;
                }
            }
            return above;
        }
    }
}
