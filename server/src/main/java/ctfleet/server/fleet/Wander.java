package ctfleet.server.fleet;

import java.util.List;

/**
 * How far this host's count drifts off its trend over a stretch of a given length, from its own
 * history: the robust spread of the slopes between points that far apart, of the residuals from
 * the fit.
 *
 * <p>Why a surge needs it as well as its own standard error: counts that wander (neighbouring
 * samples share most of their entries) leave residuals around a line through one hour that look
 * far less correlated than the wander is, so the hour's own error bar is too narrow, and a host
 * parked at 85 % that drifts a few percent an hour up and back all day shows "rising 4 %/h over
 * the last 59 min" every few hours. Its history shows how often it did that before and turned.
 *
 * <p>Only pairs within one regime, with no gap or reboot between them, and both ends fitted;
 * the stretch ending now is left out (that is what is being judged). Computed on demand: most
 * hosts have no surge to judge. The same pairs also say how fast the count wanders at all
 * ({@link #diffusion()}), which every host's trend needs.
 */
final class Wander {
    /** Fewer pairs than this: the history says nothing. */
    static final int MIN_PAIRS = 8;
    /** Stretches shorter than this many points of history cannot be measured on it. */
    static final int MIN_LAG = 2;

    /** The lags the diffusion is read between, seconds: past the memory of sampling noise, ... */
    static final double SHORT_LAG = 3600;
    /** ... and long enough for a wander to show, within a regime. */
    static final double LONG_LAG = 6 * 3600;
    /**
     * The spread over the long lag must be this many times that over the short one: a random walk's
     * grows sixfold between them, sampling noise's not at all, and a robust estimate from a day of
     * 10-minute buckets is good to about a fifth.
     */
    static final double GROWTH = 1.5;

    private final Observations o;
    private final double[] w;
    private final double[] fitted;
    /** Points with the same number lie in one regime with no gap or reboot between them. */
    private final int[] segment;

    private Wander(Observations o, double[] w, double[] fitted, List<Regimes.Start> regimes) {
        this.o = o;
        this.w = w;
        this.fitted = fitted;
        segment = new int[o.n];
        int r = 0;
        for (int i = 1; i < o.n; i++) {
            boolean starts = false;
            while (r < regimes.size() && regimes.get(r).from() <= i) {
                starts |= regimes.get(r).from() == i;
                r++;
            }
            segment[i] = segment[i - 1] + (starts || o.gapBefore(i) || o.rebootBefore(i) ? 1 : 0);
        }
    }

    static Wander of(Observations o, double[] w, double[] fitted, List<Regimes.Start> regimes) {
        return new Wander(o, w, fitted, regimes);
    }

    /**
     * The robust standard deviation of the residuals' slope over stretches of {@code seconds}
     * (fill per day), ending before the newest {@code seconds}; NaN when the history is too short
     * or too coarse for stretches that short.
     */
    double slopeSd(double seconds) {
        int lag = lag(seconds);
        if (lag < MIN_LAG) {
            return Double.NaN;
        }
        double before = -seconds / Observations.DAY;
        double[] slopes = new double[Math.max(0, o.n - lag)];
        int k = 0;
        for (int i = 0; i + lag < o.n && o.x[i + lag] < before; i++) {
            int j = i + lag;
            if (w[i] <= 0 || w[j] <= 0 || segment[i] != segment[j]) {
                continue;
            }
            slopes[k++] = ((o.y[j] - fitted[j]) - (o.y[i] - fitted[i])) / (o.x[j] - o.x[i]);
        }
        return k < MIN_PAIRS ? Double.NaN : Medians.madInPlace(slopes, k);
    }

    /**
     * How fast the residuals' variance grows with time (fill² per day): the robust variance of their
     * changes over {@link #LONG_LAG} less that over {@link #SHORT_LAG}, over the lags' difference;
     * 0 when it does not grow by {@link #GROWTH} or cannot be measured. Sampling noise forgets
     * itself within minutes, so beyond the short lag its changes no longer grow; a count that
     * wanders (load drifting for hours, then back) keeps growing like a random walk, and a slope
     * seen over a day of it is no trend.
     */
    double diffusion() {
        double[] changes = new double[o.n];
        double shortVar = changeVariance(lag(SHORT_LAG), changes);
        double longVar = changeVariance(lag(LONG_LAG), changes);
        if (!(longVar >= GROWTH * shortVar)) {
            return 0; // no more than two MAD estimates of one spread differ by chance
        }
        return (longVar - shortVar) / ((LONG_LAG - SHORT_LAG) / Observations.DAY);
    }

    private int lag(double seconds) {
        return o.spacing > 0 ? (int) Math.round(seconds / o.spacing) : 0;
    }

    /** (1.4826 · MAD)² of the residuals' changes over {@code lag} points within a segment; NaN when too few. */
    private double changeVariance(int lag, double[] changes) {
        if (lag < 1 || lag >= o.n) {
            return Double.NaN;
        }
        int k = 0;
        // Every other pair: neighbouring pairs share all but one point's worth of change, so half of
        // them estimate the spread about as well, at half the cost on every host of every ranking.
        for (int i = 0; i + lag < o.n; i += 2) {
            int j = i + lag;
            if (w[i] > 0 && w[j] > 0 && segment[i] == segment[j]) {
                changes[k++] = (o.y[j] - fitted[j]) - (o.y[i] - fitted[i]);
            }
        }
        if (k < MIN_PAIRS) {
            return Double.NaN;
        }
        double sd = Medians.madInPlace(changes, k);
        return sd * sd;
    }
}
