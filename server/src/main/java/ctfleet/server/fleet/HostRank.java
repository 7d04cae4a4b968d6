package ctfleet.server.fleet;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One line of the fleet ranking.
 *
 * @param rank       1-based position; 0 from {@link Ranker#assess} (not ranked yet)
 * @param fill       count / max; absent when max is 0 or conntrack is not loaded
 * @param etaSeconds seconds until full per {@link EnvelopeForecaster}; absent when not growing
 *                   (no crossing, or further than {@link RankerConfig#growthHorizon()} or
 *                   {@link RankerConfig#extrapolation()} × the data's span)
 */
public record HostRank(
        int rank,
        String host,
        long count,
        long max,
        long buckets,
        OptionalDouble fill,
        OptionalDouble etaSeconds,
        double dropsPerSecond,
        double earlyDropsPerSecond,
        double insertFailedPerSecond,
        Status status,
        Instant lastSeen,
        Map<String, String> labels) {

    public HostRank {
        labels = Map.copyOf(labels);
    }

    /** drop + early_drop + insert_failed per second: every way a new connection was refused. */
    public double refusedPerSecond() {
        return dropsPerSecond + earlyDropsPerSecond + insertFailedPerSecond;
    }

    HostRank withRank(int newRank) {
        return new HostRank(newRank, host, count, max, buckets, fill, etaSeconds, dropsPerSecond,
                earlyDropsPerSecond, insertFailedPerSecond, status, lastSeen, labels);
    }
}
