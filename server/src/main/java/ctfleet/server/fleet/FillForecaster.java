package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Will this host's table fill within the horizon, and when? The forecast the ranking, the status
 * and the host view all read.
 *
 * <ol>
 *   <li>Points whose peak reached their limit are clamped by the kernel: they say "at least max"
 *       and are left out of the fits (but count as excursions that reached max). A host whose
 *       newest point is at max is full now.
 *   <li>The window is split into regimes ({@link Regimes}): reboots, then level shifts and slope
 *       changes found on the de-seasoned counts; only the newest regime's line is extrapolated. A
 *       jump the host makes at the same time every day is its routine ({@link Recurrence}).
 *   <li>One robust fit ({@link TrendFit}) of a line per regime plus the daily (and, over two
 *       weeks, weekly) cycle shared by them; the cycle stays only if it stands out of the noise,
 *       and what recurs in its residuals (a square office day) is added to it ({@link CycleProfile}).
 *   <li>The newest regime's level and slope become weighted draws ({@link TrendPosterior}), widened
 *       by how far the count wanders ({@link Wander}), fading when its growth eases off from the
 *       regime before ({@link Easing}), with a share for a surge of the last hour
 *       ({@link SurgeSearch}) and for steps up one after another ({@link Staircase}); excursions
 *       above the fit become a rate of episodes ({@link Excursions}), and both together the CDF of
 *       the time to full ({@link Outlook}): p_full, and the ETA's median and 10–90 % range.
 *   <li>After a reboot, while the table refills below the level it had before, the trend is
 *       capped at that level: refilling is not growth.
 * </ol>
 *
 * <p>Everything it reads per point (average, peak, sample count, limit, boot) is what a rollup
 * row carries, so a day-long window is forecast from 10-minute buckets as well as from raw samples.
 * Raw samples seconds apart (the agent's default is every 10 s) are read a minute at a time
 * ({@link CountBuckets#perMinute}): the allowance for neighbours that move together was made for
 * samples a minute apart, and the same host must not look surer of itself because it was sampled
 * more often.
 */
public final class FillForecaster {
    /** A run of points far above the trend no longer than this is a burst, not a change. */
    static final double BURST_RUN_SECONDS = 3600;
    /** A refill counts as over once this many points follow it. */
    static final int REFILLED_POINTS = 3;
    /** Fewer fitted points than this: no trend at all, only "so far". */
    static final int MIN_POINTS = 3;
    /** The weight a surge gets: it may go on, or it may be a burst that turns. */
    static final double SURGE_SHARE = 0.5;
    /** A surge's slope fades over this many times the stretch it was seen on. */
    static final double SURGE_FADE_SPANS = 3;
    /** The weight a staircase's slope gets ({@link Staircase}): the next step may come, or not. */
    static final double STAIR_SHARE = 0.5;
    /** A least-squares slope through T days of a random walk of diffusion D has variance 1.2·D/T. */
    static final double WANDER_SLOPE = 1.2;
    /** Neither the regime nor the horizon is taken as shorter than an hour for the wander's share. */
    static final double MIN_REGIME_DAYS = 1.0 / 24;

    private FillForecaster() {}

    public static FillForecast forecast(List<CountPoint> points, Instant now, long max, Duration horizon) {
        return forecast(points, List.of(), now, max, horizon);
    }

    /** @param recent the newest raw samples when {@code points} are buckets (for a surge of the last minutes) */
    public static FillForecast forecast(List<CountPoint> points, List<CountPoint> recent, Instant now, long max,
            Duration horizon) {
        return forecast(points, recent, now, max, horizon, Optional.empty(), List.of());
    }

    /**
     * @param landed when a failover partner's load had landed on this host, if it holds that load now
     *     ({@link FailoverPairs}): a surge whose stretch takes that landing in is the step of the
     *     load arriving, not a trend, and is not extrapolated
     * @param moved its pair's failovers found and over ({@link FailoverPairs.Span}): left out, as a
     *     refill is, so that its partner's load does not read as its own bursts (the partner's risk
     *     is {@link FailoverPairs}' to tell) nor its own load's absence as a level
     */
    static FillForecast forecast(List<CountPoint> points, List<CountPoint> recent, Instant now, long max,
            Duration horizon, Optional<Instant> landed, List<FailoverPairs.Span> moved) {
        if (max <= 0 || points.isEmpty()) {
            return FillForecast.NONE;
        }
        points = CountBuckets.perMinute(points);
        recent = CountBuckets.perMinute(recent);
        Observations o = Observations.of(points, now, max);
        int n = o.n;
        CountPoint newest = points.get(n - 1);
        if (o.censored[n - 1] || newest.count() >= max) {
            int since = n - 1;
            while (since > 0 && o.censored[since - 1] && !o.gapBefore(since)) {
                since--;
            }
            String reason = Reasons.withMaxChange("at max since " + Reasons.time(points.get(since).ts(), now), o,
                    points, now);
            return new FillForecast(1, OptionalDouble.of(0), OptionalDouble.of(0), OptionalDouble.of(0), reason, 0,
                    newest.count());
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = o.censored[i] ? 0 : 1;
        }
        int raised = o.raisedOffMax();
        if (raised >= 0 && o.aggregate[raised]) {
            // The bucket a raise of max fell in averages counts clamped at the old max with demand let
            // out: it says neither, and read as a level it is a fall.
            w[raised] = 0;
        }
        int refillFrom = leaveOutRefills(o, w);
        if (!moved.isEmpty()) {
            for (int i = 0; i < n; i++) {
                Instant t = points.get(i).ts();
                for (FailoverPairs.Span span : moved) {
                    if (span.contains(t)) {
                        w[i] = 0;
                    }
                }
            }
        }
        int kept = 0;
        for (double v : w) {
            kept += v > 0 ? 1 : 0;
        }
        if (refillFrom >= 0 && w[n - 1] == 0 && kept < MIN_POINTS) {
            return new FillForecast(0, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
                    Reasons.withMaxChange("rebooted at " + Reasons.time(points.get(refillFrom).ts(), now)
                            + ", refilling; no trend yet", o, points, now), 0, newest.count());
        }
        if (kept < MIN_POINTS) {
            return new FillForecast(0, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
                    Reasons.withMaxChange(kept + (kept == 1 ? " sample" : " samples") + " so far: no trend yet", o,
                            points, now), 0, newest.count());
        }

        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = o.nowSeconds + o.x[i] * Observations.DAY;
        }
        Seasonal seasonal = Seasonal.forSpan(o.spanSeconds());
        double[] design = null;
        if (seasonal != null) {
            design = new double[n * seasonal.columns()];
            seasonal.design(t, design);
        }
        List<Regimes.Start> whole = Regimes.steps(o, w);
        TrendFit first = TrendFit.fit(o, whole, w, seasonal, design);
        if (first == null) {
            return FillForecast.NONE;
        }
        if (seasonal != null && !first.seasonalSignificant) {
            seasonal = null;
            design = null;
        }
        double[] z = o.y.clone();
        if (seasonal != null) {
            int sc = seasonal.columns();
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < sc; c++) {
                    z[i] -= first.coef[first.seasonalOffset + c] * design[i * sc + c];
                }
            }
        }
        // Changes are searched without the bursts: short runs (an hour at most) of points far above the
        // first fit are excursions, not regimes. A long run is a change, and stays.
        double[] searched = w.clone();
        double band = 4 * Math.max(first.residualScale, Excursions.MIN_SCALE);
        int run = 0;
        for (int i = 0; i <= n; i++) {
            boolean high = i < n && w[i] > 0 && o.y[i] - first.fitted[i] > band;
            if (high) {
                run++;
                continue;
            }
            if (run > 0 && (o.x[i - 1] - o.x[i - run]) * Observations.DAY <= BURST_RUN_SECONDS) {
                for (int k = i - run; k < i; k++) {
                    searched[k] = 0;
                }
            }
            run = 0;
        }
        // Noise that grows with the level: weigh each point by the inverse of its noise variance
        // (relative to the newest level's), or the noisier high end of a growing host reads as a change.
        double gamma = Excursions.gamma(o, w, first.fitted);
        double ref = Math.max(Excursions.MIN_LEVEL, first.fitted[n - 1]);
        for (int i = 0; i < n; i++) {
            if (searched[i] > 0) {
                double ratio = ref / Math.max(Excursions.MIN_LEVEL, first.fitted[i]);
                double v = 2 * gamma == 1 ? ratio : Math.pow(ratio, 2 * gamma); // pow(x, 1) is x, at a pow's cost
                searched[i] *= Math.max(0.01, Math.min(100, v));
            }
        }
        // A return within a failover left out has nothing before it to step from: the host's level
        // before the failover is its level now.
        Optional<Instant> step = landed.filter(at -> moved.stream()
                .noneMatch(span -> !at.isBefore(span.from()) && !at.isAfter(span.to())));
        List<Regimes.Start> regimes = knownStep(Regimes.find(o, z, searched, whole), o, w, step);
        // No change beyond the steps: the first fit already is the model (most hosts stop here).
        TrendFit fit = regimes.size() == whole.size() ? (seasonal == null ? first.withoutCycle() : first)
                : TrendFit.fit(o, regimes, w, seasonal, design);
        if (fit == null) {
            fit = first;
            regimes = whole;
        } else if (seasonal != null && !fit.seasonalSignificant) {
            fit = fit.withoutCycle();
        }

        // A perfect fit (a constant count, an import of round numbers) still leaves a quantum of doubt:
        // the slope is then known, not unknown.
        CycleProfile profile = CycleProfile.of(o, w, fit.fitted, CycleProfile.period(fit.seasonal, o.spanSeconds()),
                fit.residualScale);
        double[] fitted = profile == null ? fit.fitted : profile.addTo(fit.fitted);
        double scale = Math.max(profile == null ? fit.residualScale : profile.scale, Excursions.MIN_SCALE);
        double s2k = scale * scale * (profile == null ? fit.inflation : profile.inflation);
        Wander wander = Wander.of(o, w, fitted, regimes);
        double diffusion = wander.diffusion();
        double horizonSeconds = horizon.toMillis() / 1000.0;
        double slopeNoise = WANDER_SLOPE * diffusion / Math.max(regimeDays(o, regimes), MIN_REGIME_DAYS);
        TrendPosterior post = TrendPosterior.of(fit, s2k, slopeNoise,
                diffusion / Math.max(horizonSeconds / Observations.DAY, MIN_REGIME_DAYS));
        Easing easing = Easing.find(o, w, regimes, fit, s2k, slopeNoise);
        if (easing != null) {
            post = post.fading(easing.fade());
        }
        Recurrence routine = Recurrence.of(o, w);
        if (profile != null) {
            z = z.clone();
            for (int i = 0; i < n; i++) {
                z[i] -= profile.atPoint(i);
            }
        }
        TrendPosterior.Surge surge = recent.size() >= SurgeSearch.MIN_POINTS
                ? SurgeSearch.find(Observations.of(recent, now, max), null, null, fit, profile, post.meanSlope, wander,
                        routine)
                : SurgeSearch.find(o, z, w, fit, profile, post.meanSlope, wander, routine);
        if (surge != null && landed.isPresent()
                && !now.minusSeconds(Math.round(surge.since())).isAfter(landed.get())) {
            surge = null; // one step read as a slope: the partner's load arriving
        }
        if (surge != null) {
            post = post.withSurge(surge, SURGE_SHARE, SURGE_FADE_SPANS * surge.since());
        }
        Staircase stairs = Staircase.find(o, regimes, fit.fitted, fit.level, scale);
        if (stairs != null && !(stairs.slope() > post.meanSlope)) {
            stairs = null; // the regime's own trend already climbs as fast
        }
        if (stairs != null) {
            post = post.withSurge(new TrendPosterior.Surge(fit.level, 0, stairs.slope(), stairs.slope() / 2,
                    stairs.since()), STAIR_SHARE, Double.POSITIVE_INFINITY);
        }
        double seasonNow = fit.season(o.nowSeconds) + (profile == null ? 0 : profile.at(o.nowSeconds));
        // Most hosts keep the first fit: its noise exponent is the one the change search used.
        Excursions ex = Excursions.of(o, w, profile == null ? fitted : profile.peakBaseline(o, fitted),
                fit.level + seasonNow, fitted == first.fitted ? gamma : Excursions.gamma(o, w, fitted));

        double[] tau = Outlook.grid(o.spacing, Math.max(Outlook.REACH, horizonSeconds));
        double[] season = new double[tau.length];
        if (fit.seasonal != null) {
            double[] at = new double[tau.length];
            for (int j = 0; j < tau.length; j++) {
                at[j] = o.nowSeconds + tau[j];
            }
            season = fit.seasonal.values(fit.coef, fit.seasonalOffset, at);
            if (profile != null) {
                for (int j = 0; j < tau.length; j++) {
                    season[j] += profile.at(at[j]);
                }
            }
        }
        Outlook outlook = Outlook.of(post, tau, season, ex, horizonSeconds);
        boolean refilling = refillFrom >= 0 && w[n - 1] == 0;
        String reason = Reasons.describe(o, points, regimes, fit, seasonNow, post, ex, outlook, season, now,
                refilling ? points.get(refillFrom).ts() : null, surge);
        if (easing != null && post.growth >= 0.5) {
            double plateau = easing.plateau(fit.level + seasonNow, post.meanSlope);
            reason += "; slowing from " + Reasons.rate(easing.before())
                    + (plateau < 1 ? ", levels off near " + Reasons.percent(plateau) : "");
        }
        if (stairs != null) {
            reason += "; " + stairs.steps() + " steps up since "
                    + Reasons.time(now.minusSeconds(Math.round(stairs.since())), now);
        }
        return new FillForecast(outlook.pFull, present(outlook.etaMedian), present(outlook.etaLow),
                present(outlook.etaHigh), reason, post.meanSlope * max / Observations.DAY, fit.level * max);
    }

    /**
     * The regimes found, with the step the fleet knows of added ({@code landed}: a failover
     * partner's load landing here, or its own load coming back, by then): a step near the end of
     * the window has too few points after it for {@link Regimes} (three a side for a step, five for
     * a split), and read inside the regime before it, it is a slope ("stepped down 53 → 0 %,
     * growing 50 %/h since" for a load that came back). The regime starts at the first point of the
     * ten minutes before {@code landed}, when a point follows and no regime starts there already;
     * under {@link TrendFit#MIN_SLOPE_POINTS} points it carries a level, not a slope. One point is
     * enough: the fleet saw the fall, and an agent sampling every 10 minutes shows a failover of the
     * last minutes in its newest sample only, which read inside the regime before is a burst.
     */
    private static List<Regimes.Start> knownStep(List<Regimes.Start> regimes, Observations o, double[] w,
                                                 Optional<Instant> landed) {
        if (landed.isEmpty()) {
            return regimes;
        }
        double from = (landed.get().getEpochSecond() - o.nowSeconds - FailoverPairs.BIN_SECONDS) / Observations.DAY;
        int at = 0;
        while (at < o.n && (o.x[at] < from || w[at] == 0)) {
            at++;
        }
        int last = regimes.get(regimes.size() - 1).from();
        if (at >= o.n || at <= last + 1) {
            return regimes;
        }
        List<Regimes.Start> out = new java.util.ArrayList<>(regimes);
        out.add(new Regimes.Start(at, Regimes.Kind.STEP));
        return out;
    }

    /** How long the newest regime has run, days. */
    private static double regimeDays(Observations o, List<Regimes.Start> regimes) {
        return o.x[o.n - 1] - o.x[regimes.get(regimes.size() - 1).from()];
    }

    /**
     * A reboot empties the table, and it refills within minutes to what demand keeps open: that
     * climb is not growth, and its low counts are not the host's level. Points after a reboot are
     * left out (weight 0), the bucket the reboot fell in always, the others until the count first
     * reaches 90 % of its level before the reboot (the
     * median of up to 30 points), or of the level it has since settled at when lower (demand
     * changed while the host was down); so the trend is
     * the one demand had before, while the table is still refilling. Returns the first point of the
     * newest refill left out, or -1.
     */
    static int leaveOutRefills(Observations o, double[] w) {
        int newest = -1;
        for (int r = 1; r < o.n; r++) {
            if (!o.rebootBefore(r)) {
                continue;
            }
            int end = r + 1;
            while (end < o.n && !o.rebootBefore(end)) {
                end++;
            }
            double[] before = new double[30];
            int m = 0;
            for (int i = r - 1; i >= 0 && m < before.length; i--) {
                if (w[i] > 0) {
                    before[m++] = o.y[i];
                }
                if (o.rebootBefore(i)) {
                    break; // the boot before began here
                }
            }
            if (m == 0) {
                continue;
            }
            double prev = TrendFit.Noise.median(before, m);
            double target = 0.9 * Math.min(prev, plateau(o, r, end));
            int j = r;
            if (o.aggregate[r]) {
                // The bucket the reboot fell in averages the old level with the first minutes of the
                // refill; it says neither, and may well clear the target by the old level alone.
                w[j++] = 0;
            }
            while (j < end && o.y[j] < target) {
                w[j] = 0;
                j++;
            }
            if (end == o.n && j > r && end - j < REFILLED_POINTS) {
                // One or two points past the target are the refill's tail, still a little under the
                // level: alone after the old regime they read as a fall.
                for (; j < end; j++) {
                    w[j] = 0;
                }
            }
            if (j > r) {
                newest = r;
            }
        }
        return newest;
    }

    /**
     * Where the counts since a reboot levelled off: the median of their last third, when it is
     * within 2 % of max of the median of the middle third (at least 9 points); +∞ while still rising.
     */
    private static double plateau(Observations o, int from, int to) {
        int k = (to - from) / 3;
        if (k < 3) {
            return Double.POSITIVE_INFINITY;
        }
        double[] mid = java.util.Arrays.copyOfRange(o.y, from + k, from + 2 * k);
        double[] last = java.util.Arrays.copyOfRange(o.y, to - k, to);
        double a = TrendFit.Noise.median(mid, k);
        double b = TrendFit.Noise.median(last, k);
        return Math.abs(b - a) <= 0.02 ? b : Double.POSITIVE_INFINITY;
    }

    private static OptionalDouble present(double v) {
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
