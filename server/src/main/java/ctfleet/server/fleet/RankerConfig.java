package ctfleet.server.fleet;

import java.time.Duration;

/**
 * What {@link Ranker} asks and how it turns the answers into a status.
 *
 * @param horizon         p_full is the probability of reaching max within this (default 24h)
 * @param warnProbability warn at or above this p_full (default 0.1)
 * @param critProbability crit at or above this p_full (default 0.5: more likely than not full
 *                        within the horizon)
 * @param warnFill        also warn at or above this fill; NaN (the default) for none. A rule by
 *                        fill alone orders hosts differently from p_full, so with it the ranking
 *                        puts status before p_full (a crit host is never below a warn one) and
 *                        the list is no longer ordered by p_full alone: {@code ctfleet check}
 *                        asks for it (its --warn/--crit), {@code ctfleet top} does not
 * @param critFill        also crit at or above this fill; NaN for none
 * @param staleIntervals  stale once silent for more than this many sample intervals (default 3)
 */
public record RankerConfig(Duration horizon, double warnProbability, double critProbability, double warnFill,
        double critFill, int staleIntervals) {

    public static final Duration DEFAULT_HORIZON = Duration.ofHours(24);
    public static final Duration MAX_HORIZON = Duration.ofDays(30);

    public RankerConfig {
        if (horizon.isNegative() || horizon.isZero() || horizon.compareTo(MAX_HORIZON) > 0) {
            throw new IllegalArgumentException("horizon must be more than 0 and at most 30d, got " + horizon);
        }
        if (!(warnProbability > 0 && warnProbability <= critProbability && critProbability <= 1)) {
            throw new IllegalArgumentException("need 0 < warn probability <= crit probability <= 1, got "
                    + warnProbability + ", " + critProbability);
        }
        boolean noWarnFill = Double.isNaN(warnFill);
        boolean noCritFill = Double.isNaN(critFill);
        if (!noWarnFill && !(warnFill > 0 && warnFill <= 1) || !noCritFill && !(critFill > 0 && critFill <= 1)
                || !noWarnFill && !noCritFill && warnFill > critFill) {
            throw new IllegalArgumentException("need 0 < warn fill <= crit fill <= 1, got " + warnFill + ", " + critFill);
        }
        if (staleIntervals < 1) {
            throw new IllegalArgumentException("stale intervals must be at least 1, got " + staleIntervals);
        }
    }

    public static RankerConfig defaults() {
        return new RankerConfig(DEFAULT_HORIZON, 0.1, 0.5, Double.NaN, Double.NaN, 3);
    }

    public RankerConfig withHorizon(Duration h) {
        return new RankerConfig(h, warnProbability, critProbability, warnFill, critFill, staleIntervals);
    }

    public RankerConfig withFills(double warn, double crit) {
        return new RankerConfig(horizon, warnProbability, critProbability, warn, crit, staleIntervals);
    }
}
