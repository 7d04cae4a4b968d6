package ctfleet.server.fleet;

import java.util.OptionalLong;

/**
 * The nf_conntrack_max and hash size a plan sets, within what the host can afford and the kernel
 * accepts.
 *
 * <pre>
 *   max      = max(min(needed, 2^30), current max)                     (kernel: INT_MAX)
 *   buckets  = max(current buckets, min(nextPow2(max), 2^27))          (kernel: INT_MAX / 8 slots)
 *              when max rises, or when the peak already makes chains longer than 4
 *              (2 × peak / current buckets &gt; 4: every entry is hashed twice); else current buckets
 *   cost     = max × bytesPerEntry + buckets × 8
 *   if cost &gt; budget (= max memory share × MemTotal): the largest power of two m above the current
 *   max with cost(m) ≤ budget; when none, today's settings (never a shrink)
 * </pre>
 *
 * <p>Powers of two, like the kernel's own defaults, so a capped plan may leave up to half its
 * budget unused rather than recommend an odd size. The hash follows a raise; on its own it is
 * resized only when it matters now: a table of max/4 buckets (the old default) that is a quarter
 * full has chains of 2, like a full table sized by today's default, and resizing it on a hundred
 * quiet gateways is work for nothing.
 *
 * @param cappedBy why the plan is below what it needs: "" (it is not), "memory" or "kernel"
 */
record TableSize(long max, long buckets, String cappedBy) {
    static final long BUCKET_BYTES = 8;

    boolean capped() {
        return !cappedBy.isEmpty();
    }

    static long cost(long max, long buckets, long bytesPerEntry) {
        return max * bytesPerEntry + buckets * BUCKET_BYTES;
    }

    static TableSize fit(long needed, long peak, long currentMax, long currentBuckets, long bytesPerEntry,
                         OptionalLong budget) {
        long wantMax = Math.max(Math.min(needed, KernelLimits.MAX_CONNTRACK_MAX), currentMax);
        boolean longChains = currentBuckets <= 0 || 2 * peak > 4 * currentBuckets;
        long wantBuckets = wantMax > currentMax || longChains ? bucketsFor(wantMax, currentBuckets) : currentBuckets;
        boolean hashCapped = wantBuckets != currentBuckets && wantBuckets < CapacityPlanner.nextPowerOfTwo(wantMax);
        String cappedBy = needed > wantMax || hashCapped ? "kernel" : "";
        long max = wantMax;
        long buckets = wantBuckets;
        if (budget.isPresent() && cost(max, buckets, bytesPerEntry) > budget.getAsLong()) {
            long m = Long.highestOneBit(wantMax);
            while (m > currentMax && cost(m, bucketsFor(m, currentBuckets), bytesPerEntry) > budget.getAsLong()) {
                m >>= 1;
            }
            if (m > currentMax) {
                max = m;
                buckets = bucketsFor(m, currentBuckets);
            } else {
                // Nothing larger fits: today's max, and a larger hash only if it is wanted and still fits.
                max = currentMax;
                long more = longChains ? bucketsFor(currentMax, currentBuckets) : currentBuckets;
                buckets = cost(currentMax, more, bytesPerEntry) <= budget.getAsLong() ? more : currentBuckets;
            }
            if (max < wantMax || buckets < wantBuckets) {
                cappedBy = "memory";
            }
        }
        return new TableSize(max, buckets, cappedBy);
    }

    private static long bucketsFor(long max, long currentBuckets) {
        return Math.max(currentBuckets, Math.min(CapacityPlanner.nextPowerOfTwo(max), KernelLimits.MAX_BUCKETS));
    }
}
