package ctfleet.server.fleet;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One line of the fleet ranking.
 *
 * @param rank           1-based position; 0 from {@link Ranker#assess} (not ranked yet)
 * @param fill           count / max; absent when max is 0 or conntrack is not loaded
 * @param pFull          probability of reaching max within the ranking's horizon ({@link FillForecaster});
 *                       0 without a limit
 * @param etaSeconds     median time to full; absent when more likely than not it does not fill within 7 days
 * @param etaLowSeconds  10th percentile of the time to full
 * @param etaHighSeconds 90th percentile of the time to full
 * @param reason         why, in one phrase; empty when there is nothing to say
 */
public record HostRank(
        int rank,
        String host,
        long count,
        long max,
        long buckets,
        OptionalDouble fill,
        double pFull,
        OptionalDouble etaSeconds,
        OptionalDouble etaLowSeconds,
        OptionalDouble etaHighSeconds,
        String reason,
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
        return new HostRank(newRank, host, count, max, buckets, fill, pFull, etaSeconds, etaLowSeconds,
                etaHighSeconds, reason, dropsPerSecond, earlyDropsPerSecond, insertFailedPerSecond, status, lastSeen,
                labels);
    }
}
