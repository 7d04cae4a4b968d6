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
 * hosts have no surge to judge.
 */
final class Wander {
    /** Fewer pairs than this: the history says nothing. */
    static final int MIN_PAIRS = 8;
    /** Stretches shorter than this many points of history cannot be measured on it. */
    static final int MIN_LAG = 2;

    private final Observations o;
    private final double[] w;
    private final double[] fitted;
    private final List<Regimes.Start> regimes;

    private Wander(Observations o, double[] w, double[] fitted, List<Regimes.Start> regimes) {
        this.o = o;
        this.w = w;
        this.fitted = fitted;
        this.regimes = regimes;
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
        if (!(o.spacing > 0)) {
            return Double.NaN;
        }
        int lag = (int) Math.round(seconds / o.spacing);
        if (lag < MIN_LAG) {
            return Double.NaN;
        }
        double before = -seconds / Observations.DAY;
        double[] slopes = new double[Math.max(0, o.n - lag)];
        int k = 0;
        for (int i = 0; i + lag < o.n && o.x[i + lag] < before; i++) {
            int j = i + lag;
            if (w[i] <= 0 || w[j] <= 0 || brokenBetween(i, j)) {
                continue;
            }
            slopes[k++] = ((o.y[j] - fitted[j]) - (o.y[i] - fitted[i])) / (o.x[j] - o.x[i]);
        }
        return k < MIN_PAIRS ? Double.NaN : Medians.madInPlace(slopes, k);
    }

    private boolean brokenBetween(int i, int j) {
        for (Regimes.Start r : regimes) {
            if (r.from() > i && r.from() <= j) {
                return true;
            }
        }
        for (int t = i + 1; t <= j; t++) {
            if (o.gapBefore(t) || o.rebootBefore(t)) {
                return true;
            }
        }
        return false;
    }
}
