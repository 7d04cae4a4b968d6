package ctfleet.server.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One host's sizing advice; see {@link CapacityPlanner} for every formula.
 *
 * @param peakCount             highest count seen in the window
 * @param growthPerDay          entries per day the count grows by: the daily peaks' trend (3 days
 *                              or more), or a leak's steady climb; 0 when neither is measured
 * @param projectedPeak         expected peak at the end of the horizon (never below peakCount)
 * @param projectedFullAt       when the count reaches the current max at this growth; now when its
 *                              demand is beyond max already; for a host full earlier in the window but
 *                              not now, when it was last; absent when not growing or max is 0
 * @param requiredMax           what the projection needs before any cap: next power of two ≥
 *                              projectedPeak × headroom (at least 1024)
 * @param recommendedMax        what to set: for a raise, requiredMax within the memory share and the
 *                              kernel's limits; never below the current max
 * @param recommendedBuckets    next power of two ≥ recommendedMax, never below current buckets
 * @param memoryBytes           recommendedMax × bytesPerEntry + recommendedBuckets × 8
 * @param additionalMemoryBytes memoryBytes minus the same formula at the current settings
 * @param action                raise, keep, or investigate (then nothing is raised)
 * @param hostMemoryBytes       the host's MemTotal; absent when unknown
 * @param memoryCapBytes        the most a plan may cost on this host (max memory share × MemTotal)
 * @param capped                a cap (memory share or kernel limit) lowered the plan below requiredMax
 * @param demand                a full host's hidden demand; absent when the host was not full
 * @param pair                  what it and its failover partner hold together, which the plan
 *                              sizes for; absent without a partner
 * @param note                  the plan in one or two sentences: its basis, and any cap
 * @param evidence              for investigate and full hosts, what the decision rests on
 * @param timeoutAdvice         for investigate hosts, the timeout to change instead
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
        CapacityCommands commands,
        CapacityAction action,
        OptionalLong hostMemoryBytes,
        OptionalLong memoryCapBytes,
        boolean capped,
        Optional<HiddenDemand.Estimate> demand,
        Optional<PairLoad> pair,
        String note,
        List<String> evidence,
        List<TimeoutAdvice> timeoutAdvice) {

    public CapacityPlan {
        evidence = List.copyOf(evidence);
        timeoutAdvice = List.copyOf(timeoutAdvice);
    }

    /** Whether applying the plan changes anything on the host. */
    public boolean changes() {
        return recommendedMax != currentMax || recommendedBuckets != currentBuckets;
    }

    public OptionalLong demandEstimate() {
        return demand.map(d -> OptionalLong.of(d.entries())).orElse(OptionalLong.empty());
    }
}
