package ctfleet.server.fleet;

import java.time.Instant;
import java.util.Optional;

/**
 * One host's sizing advice; see {@link CapacityPlanner} for every formula.
 *
 * @param peakCount             highest count seen in the window
 * @param growthPerDay          entries per day the peaks grow by (negative: shrinking)
 * @param projectedPeak         expected peak at the end of the horizon (never below peakCount)
 * @param projectedFullAt       when the peaks reach the current max at this trend; absent when
 *                              not growing or max is 0
 * @param requiredMax           next power of two ≥ projectedPeak × headroom (at least 1024)
 * @param recommendedMax        max(requiredMax, currentMax): never advises shrinking
 * @param recommendedBuckets    next power of two ≥ recommendedMax, never below current buckets
 * @param memoryBytes           recommendedMax × bytesPerEntry + recommendedBuckets × 8
 * @param additionalMemoryBytes memoryBytes minus the same formula at the current settings
 */
public record CapacityPlan(
        String host,
        long currentMax,
        long currentBuckets,
        long peakCount,
        double growthPerDay,
        long projectedPeak,
        Optional<Instant> projectedFullAt,
        long requiredMax,
        long recommendedMax,
        long recommendedBuckets,
        long bytesPerEntry,
        long memoryBytes,
        long additionalMemoryBytes,
        CapacityCommands commands) {

    /** Whether applying the plan changes anything on the host. */
    public boolean changes() {
        return recommendedMax != currentMax || recommendedBuckets != currentBuckets;
    }
}
