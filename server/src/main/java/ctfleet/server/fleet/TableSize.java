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
 *   if cost &gt; budget (= max memory share × MemTotal): the largest m above the current max, below
 *   what it wanted, in quarter steps between powers of two (1, 1.25, 1.5, 1.75 × 2^k), with
 *   buckets = max(current buckets, m) and cost(m) ≤ budget; when none, today's settings (never a shrink)
 * </pre>
 *
 * <p>A plan that fits is a power of two, like the kernel's own defaults. A capped one is the most
 * the budget buys, to a quarter step: a host that needs twice its table and can afford 1.75 times
 * should get that, not be told to keep today's. The kernel takes any {@code nf_conntrack_max}, and
 * hashes into any table size ({@code reciprocal_scale}); it rounds a hash size up to a page of
 * 8-byte heads (512 slots), which every quarter step from 2048 up already is. So a capped plan
 * leaves at most a fifth of its budget unused (1 of 1.25), where powers of two left up to half.
 * The hash follows a raise; on its own it is
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
            long m = affordable(wantMax, currentMax, currentBuckets, bytesPerEntry, budget.getAsLong());
            if (m > currentMax) {
                max = m;
                buckets = cappedBuckets(m, currentBuckets);
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

    /**
     * The largest quarter step below {@code wantMax} and above {@code currentMax} whose table fits the
     * budget; {@code currentMax} when none does. Below 2048 only powers of two (a quarter of less
     * than 2048 is not a whole page of hash heads).
     */
    private static long affordable(long wantMax, long currentMax, long currentBuckets, long bytesPerEntry,
                                   long budget) {
        for (long p = Long.highestOneBit(wantMax); p > currentMax / 2 && p > 0; p >>= 1) {
            for (long c = p >= 2048 ? 7 : 4; c >= 4; c--) {
                long m = p / 4 * c;
                if (m >= wantMax) {
                    continue; // what it wanted did not fit
                }
                if (m <= currentMax) {
                    return currentMax;
                }
                if (cost(m, cappedBuckets(m, currentBuckets), bytesPerEntry) <= budget) {
                    return m;
                }
            }
        }
        return currentMax;
    }

    /** A capped table's hash: as many slots as entries (chains of 2 when full), never fewer than today's. */
    private static long cappedBuckets(long max, long currentBuckets) {
        return Math.max(currentBuckets, Math.min(max, KernelLimits.MAX_BUCKETS));
    }

    private static long bucketsFor(long max, long currentBuckets) {
        return Math.max(currentBuckets, Math.min(CapacityPlanner.nextPowerOfTwo(max), KernelLimits.MAX_BUCKETS));
    }
}
