package ctfleet.server.fleet;

import java.time.Duration;

/**
 * Thresholds for {@link Ranker}.
 *
 * @param warnFill       warn at or above this fill (default 0.75, the usual alerting rule)
 * @param critFill       crit at or above this fill (default 0.9)
 * @param warnEta        warn when predicted full within this (default 6h)
 * @param critEta        crit when predicted full within this (default 1h)
 * @param staleIntervals stale once silent for more than this many sample intervals (default 3)
 * @param growthHorizon  an ETA further out than this is reported as "not growing" (default 7d):
 *                       a flat noisy host always has some positive slope, and an ETA of three
 *                       years must not rank it above a host sitting at 95%
 * @param extrapolation  nor further out than this many times the span of data the trend was fitted
 *                       on (default 4, the ratio of the node-exporter mixin's
 *                       {@code predict_linear(x[6h], 24h)}): a one-hour window says nothing
 *                       about next week, and the ~3% of noisy hosts whose slope passes a t ≥ 2
 *                       test by chance would otherwise outrank the fullest hosts; never
 *                       shorter than {@code warnEta}, the horizon the operator asked to be
 *                       warned about
 */
public record RankerConfig(
        double warnFill, double critFill, Duration warnEta, Duration critEta, int staleIntervals, Duration growthHorizon,
        double extrapolation) {

    public RankerConfig {
        if (!(warnFill > 0 && warnFill <= critFill && critFill <= 1)) {
            throw new IllegalArgumentException("need 0 < warn fill <= crit fill <= 1, got " + warnFill + ", " + critFill);
        }
        if (critEta.compareTo(warnEta) > 0) {
            throw new IllegalArgumentException("crit eta " + critEta + " is longer than warn eta " + warnEta);
        }
        if (!(extrapolation > 0)) {
            throw new IllegalArgumentException("extrapolation factor must be positive, got " + extrapolation);
        }
        if (staleIntervals < 1) {
            throw new IllegalArgumentException("stale intervals must be at least 1, got " + staleIntervals);
        }
    }

    public static RankerConfig defaults() {
        return new RankerConfig(0.75, 0.9, Duration.ofHours(6), Duration.ofHours(1), 3, Duration.ofDays(7), 4);
    }
}
