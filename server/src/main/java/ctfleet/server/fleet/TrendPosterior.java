package ctfleet.server.fleet;

/**
 * What the newest regime's level and slope may be, as weighted draws: the fit's own uncertainty
 * combined with what fleets are like — most hosts do not grow, a few grow fast.
 *
 * <p>The slope's prior is a mixture: "steady" {@code N(0, STEADY_SD²)} with weight
 * {@code 1 − GROWTH_PRIOR} and "growing" {@code N(0, GROWTH_SD²)} (fill per day). Each is updated
 * with the fitted slope b̂ and its variance V (the regression's, times s²κ), the standard conjugate
 * result: weight ∝ prior · N(b̂; 0, v + V), mean {@code b̂ v / (v + V)}, variance {@code v V / (v + V)}.
 * An hour of a flat host's noise shows slopes of several percent per day by chance; without the
 * prior, extrapolated a day ahead, that alone would give every host at 90 % a fair chance of
 * filling. With it, such a slope stays "steady", while a slope many standard errors from zero
 * overwhelms the prior odds. A regime too short to carry a slope ({@link TrendFit}) keeps the
 * prior, with the growing part's weight lowered to what the regime before it showed, when that
 * one carried a slope.
 *
 * <p>Given the slope, the level is the fit's conditional normal. Draws are the tensor product of a
 * 7-point Gauss–Hermite rule over the slope and a 3-point one over the level, per component: exact
 * for polynomials of degree 13 and 5, which is plenty for the smooth crossing probabilities built on
 * them, and the same numbers on every call.
 *
 * <p>A count that wanders ({@link Wander#diffusion()}) shows slopes that are no trend: their
 * variance is added to the fitted slope's before the update, and the wander ahead widens each
 * component's slope draws.
 */
final class TrendPosterior {
    static final double GROWTH_PRIOR = 0.05;
    static final double STEADY_SD = 0.005;
    static final double GROWTH_SD = 2.0;

    private static final double[] SLOPE_NODES = {0, 1.1544053947399682, -1.1544053947399682, 2.366759410734541,
        -2.366759410734541, 3.7504397177257425, -3.7504397177257425};
    private static final double[] SLOPE_WEIGHTS = {0.4571428571428571, 0.2401231786050127, 0.2401231786050127,
        0.0307571239675865, 0.0307571239675865, 5.482688559722186e-4, 5.482688559722186e-4};
    private static final double[] LEVEL_NODES = {0, 1.7320508075688772, -1.7320508075688772};
    private static final double[] LEVEL_WEIGHTS = {2.0 / 3, 1.0 / 6, 1.0 / 6};

    final double[] level;
    final double[] slope;
    final double[] weight;
    /** Per draw: the time over which its slope fades ({@link Outlook}); +∞ for the regime's trend. */
    final double[] damping;
    final int size;
    /** Posterior probability of the "growing" component. */
    final double growth;
    /** Posterior mean slope, fill per day. */
    final double meanSlope;

    private TrendPosterior(double[] level, double[] slope, double[] weight, double[] damping, int size, double growth,
            double meanSlope) {
        this.level = level;
        this.slope = slope;
        this.weight = weight;
        this.damping = damping;
        this.size = size;
        this.growth = growth;
        this.meanSlope = meanSlope;
    }

    /** @param s2k the residual variance times the autocorrelation inflation */
    static TrendPosterior of(TrendFit fit, double s2k) {
        return of(fit, s2k, 0, 0);
    }

    /**
     * @param s2k       the residual variance times the autocorrelation inflation
     * @param slopeNoise the variance a wandering count adds to the fitted slope (fill per day, squared):
     *                   a random walk of diffusion D seen over T days shows slopes of variance 1.2·D/T
     * @param pathNoise  the variance the same wander adds to each draw's slope for the path ahead,
     *                   D/H over a horizon of H days, so the spread at the horizon is its D·H
     */
    static TrendPosterior of(TrendFit fit, double s2k, double slopeNoise, double pathNoise) {
        double caa = fit.caa * s2k;
        double[] v = {STEADY_SD * STEADY_SD, GROWTH_SD * GROWTH_SD};
        double[] prior = {1 - GROWTH_PRIOR, GROWTH_PRIOR};
        double[] w = new double[2];
        double[] mean = new double[2];
        double[] var = new double[2];
        double levelSlope = 0;
        double levelSd;
        if (fit.slopeKnown && Double.isFinite(fit.cbb) && fit.cbb * s2k > 0) {
            double cbb = fit.cbb * s2k + slopeNoise;
            double cab = fit.cab * s2k;
            double b = fit.slope;
            double[] logw = logWeights(b, cbb, v, prior);
            for (int j = 0; j < 2; j++) {
                double total = v[j] + cbb;
                mean[j] = b * v[j] / total;
                var[j] = v[j] * cbb / total;
            }
            double top = Math.max(logw[0], logw[1]);
            double sum = 0;
            for (int j = 0; j < 2; j++) {
                w[j] = Math.exp(logw[j] - top);
                sum += w[j];
            }
            w[0] /= sum;
            w[1] /= sum;
            levelSlope = cab / cbb;
            levelSd = Math.sqrt(Math.max(0, caa - cab * cab / cbb));
        } else {
            double grows = Math.min(GROWTH_PRIOR, growthBefore(fit, s2k, slopeNoise, v, prior));
            double[] start = {1 - grows, grows};
            for (int j = 0; j < 2; j++) {
                w[j] = start[j];
                mean[j] = 0;
                var[j] = v[j];
            }
            levelSd = Math.sqrt(Math.max(0, caa));
        }
        int max = 2 * SLOPE_NODES.length * LEVEL_NODES.length;
        double[] level = new double[max];
        double[] slope = new double[max];
        double[] weight = new double[max];
        int k = 0;
        for (int j = 0; j < 2; j++) {
            if (w[j] < 1e-6) {
                continue;
            }
            double sd = Math.sqrt(var[j] + pathNoise);
            for (int a = 0; a < SLOPE_NODES.length; a++) {
                double b = mean[j] + sd * SLOPE_NODES[a];
                double centre = fit.level + levelSlope * (b - fit.slope);
                for (int c = 0; c < LEVEL_NODES.length; c++) {
                    level[k] = centre + levelSd * LEVEL_NODES[c];
                    slope[k] = b;
                    weight[k] = w[j] * SLOPE_WEIGHTS[a] * LEVEL_WEIGHTS[c];
                    k++;
                }
            }
        }
        double[] damping = new double[k];
        java.util.Arrays.fill(damping, Double.POSITIVE_INFINITY);
        return new TrendPosterior(level, slope, weight, damping, k, w[1], w[0] * mean[0] + w[1] * mean[1]);
    }

    /**
     * How likely the regime before the newest was "growing", by the same update as the newest's own
     * slope; the prior's weight when that regime carried no slope. A regime too short for a slope
     * (the first hour after a step) takes at most this: a host that was steady for a day and then
     * was drained, or took a partner's load, is no likelier to grow for it, and the prior's 5 %
     * gave every such host 1–2 % of p_full wherever its level stood.
     */
    private static double growthBefore(TrendFit fit, double s2k, double slopeNoise, double[] v, double[] prior) {
        if (!(Double.isFinite(fit.beforeCbb) && fit.beforeCbb * s2k > 0)) {
            return prior[1];
        }
        double[] logw = logWeights(fit.beforeSlope, fit.beforeCbb * s2k + slopeNoise, v, prior);
        return 1 / (1 + Math.exp(logw[0] - logw[1]));
    }

    /** Each component's log weight after seeing slope b of variance cbb: prior · N(b; 0, v + cbb). */
    private static double[] logWeights(double b, double cbb, double[] v, double[] prior) {
        double[] logw = new double[2];
        for (int j = 0; j < 2; j++) {
            double total = v[j] + cbb;
            logw[j] = Math.log(prior[j]) - 0.5 * Math.log(total) - 0.5 * b * b / total;
        }
        return logw;
    }

    /** These draws with their slopes fading over {@code fade} seconds ({@link Easing}). */
    TrendPosterior fading(double fade) {
        double[] d = new double[size];
        java.util.Arrays.fill(d, fade);
        return new TrendPosterior(level, slope, weight, d, size, growth, meanSlope);
    }

    /**
     * These draws with {@code share} of their weight handed to a surge: a line through the last
     * hour, steeper than the regime's trend, whose slope fades over {@code fade} seconds.
     */
    TrendPosterior withSurge(Surge surge, double share, double fade) {
        int extra = SLOPE_NODES.length * LEVEL_NODES.length;
        double[] l = java.util.Arrays.copyOf(level, size + extra);
        double[] b = java.util.Arrays.copyOf(slope, size + extra);
        double[] wt = java.util.Arrays.copyOf(weight, size + extra);
        double[] d = java.util.Arrays.copyOf(damping, size + extra);
        for (int i = 0; i < size; i++) {
            wt[i] *= 1 - share;
        }
        int k = size;
        for (int a = 0; a < SLOPE_NODES.length; a++) {
            for (int c = 0; c < LEVEL_NODES.length; c++) {
                b[k] = surge.slope() + surge.slopeSd() * SLOPE_NODES[a];
                l[k] = surge.level() + surge.levelSd() * LEVEL_NODES[c];
                wt[k] = share * SLOPE_WEIGHTS[a] * LEVEL_WEIGHTS[c];
                d[k] = fade;
                k++;
            }
        }
        return new TrendPosterior(l, b, wt, d, k, growth, meanSlope);
    }

    /** A line through the newest hour: level now and slope per day (fill), with their standard deviations. */
    record Surge(double level, double levelSd, double slope, double slopeSd, double since) {}
}
