package ctfleet.server.fleet;

import java.util.List;

/**
 * Growth that eases off toward a plateau. When a host's traffic steps up (a new tenant, a client
 * fleet reconnecting) its count does not step with it: new entries pile up while the old ones have
 * not yet closed or timed out, so the count climbs toward its new level as {@code 1 − e^(−t/L)}, with
 * L the entries' lifetime: minutes for UDP and short TCP, hours for pools of long-lived connections.
 * {@link Regimes} cuts that curve into lines whose slopes fall one after another, and the newest line
 * extrapolated puts a gateway settling at 75 % at max by tomorrow, with certainty.
 *
 * <p>When the newest regime began at a change of slope (not a step) and both it and the regime
 * before it grow, the newest more slowly by {@link #SIGMAS} standard errors, the two slopes are read
 * as samples of one decaying slope {@code b(t) = b₀·e^(−t/T)} taken at the regimes' middles:
 * {@code T = Δ / ln(b_before / b_newest)}. Each slope is first moved one standard error toward the
 * other, so that noise makes the decay slower, not faster: in doubt, the trend goes on. The newest
 * regime's draws then fade over T ({@link Outlook}: the level moves by at most {@code b·T}), and
 * where they level off is named. Growth that slowed to a new steady pace (a migration done, organic
 * growth after it) is told apart by its newest regime: a line straighter than the decay would bend
 * it ({@link #straighter}) keeps its trend.
 *
 * @param fade      seconds over which the newest regime's slope fades
 * @param before    the slope of the regime before, fill per day
 */
record Easing(double fade, double before) {
    /** How many standard errors the newest slope must be below the one before. */
    static final double SIGMAS = 3;

    /** @return the easing, or null when the newest regime's growth is not slowing */
    static Easing find(Observations o, double[] w, List<Regimes.Start> regimes, TrendFit fit, double s2k,
            double slopeNoise) {
        int r = regimes.size();
        if (r < 2 || regimes.get(r - 1).kind() != Regimes.Kind.CHANGE || !fit.slopeKnown
                || !Double.isFinite(fit.beforeCbb)) {
            return null;
        }
        double seNew = Math.sqrt(fit.cbb * s2k + slopeNoise);
        double seBefore = Math.sqrt(fit.beforeCbb * s2k + slopeNoise);
        double now = fit.slope;
        double then = fit.beforeSlope;
        if (!(now > 0 && then - now >= SIGMAS * Math.hypot(seNew, seBefore))) {
            return null;
        }
        double ratio = (then - seBefore) / (now + seNew);
        double middles = middle(o, w, regimes.get(r - 1).from(), o.n)
                - middle(o, w, regimes.get(r - 2).from(), regimes.get(r - 1).from());
        if (!(ratio > 1 && middles > 0)) {
            return null;
        }
        double fade = middles / Math.log(ratio);
        if (straighter(o, w, fit, regimes.get(r - 1).from(), now, fade, s2k)) {
            return null;
        }
        return new Easing(fade * Observations.DAY, then);
    }

    /**
     * The newest regime is straighter than a slope fading over {@code fade} days would bend it: the
     * curvature of its residuals (the {@code x²} term of a parabola, against the fitted line) is more
     * than {@link #SIGMAS} − 1 standard errors above the {@code −b/(2T)} the decay predicts. A pace
     * that settled (a migration done, then organic growth) leaves a long straight line after the
     * faster one; a count settling at a plateau bends within its newest regime too.
     */
    private static boolean straighter(Observations o, double[] w, TrendFit fit, int from, double slope, double fade,
            double s2k) {
        // q = (x − x̄)², made orthogonal to the line (1, x) by least squares within the regime.
        double sw = 0;
        double sx = 0;
        for (int i = from; i < o.n; i++) {
            if (w[i] > 0) {
                sw++;
                sx += o.x[i];
            }
        }
        double mean = sx / sw;
        double sxx = 0;
        double sxq = 0;
        double sq = 0;
        for (int i = from; i < o.n; i++) {
            if (w[i] > 0) {
                double d = o.x[i] - mean;
                sxx += d * d;
                sxq += d * d * d;
                sq += d * d;
            }
        }
        double qMean = sq / sw;
        double along = sxx > 0 ? sxq / sxx : 0;
        double qq = 0;
        double qr = 0;
        for (int i = from; i < o.n; i++) {
            if (w[i] > 0) {
                double d = o.x[i] - mean;
                double q = d * d - qMean - along * d;
                qq += q * q;
                qr += q * (o.y[i] - fit.fitted[i]);
            }
        }
        if (!(qq > 0)) {
            return false;
        }
        double curvature = qr / qq;
        double expected = -slope / (2 * fade);
        return curvature - expected > (SIGMAS - 1) * Math.sqrt(s2k / qq);
    }

    /** Where the count levels off from {@code level} (fill) at slope {@code slope} (fill per day). */
    double plateau(double level, double slope) {
        return level + slope * fade / Observations.DAY;
    }

    /** The mean time of the points in use in [from, to), days before now (o.x); NaN when none. */
    private static double middle(Observations o, double[] w, int from, int to) {
        double sum = 0;
        int m = 0;
        for (int i = from; i < to; i++) {
            if (w[i] > 0) {
                sum += o.x[i];
                m++;
            }
        }
        return m == 0 ? Double.NaN : sum / m;
    }
}
