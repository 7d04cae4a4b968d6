package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Sizes {@code nf_conntrack_max} and the hash table for a horizon, from a long window (e.g. 30d).
 *
 * <pre>
 *   peaks        = the highest count in each whole day back from now
 *   growth/day   = least-squares slope of those daily peaks (≥ 3 days), else of all points × 86400
 *   peakNow      = max(peak in window, daily-peak line at now)
 *   projected    = peakNow + max(0, growth/day) × horizon days
 *   fullAt       = now + (currentMax − peakNow) / growth/day      (growth &gt; 0, max &gt; 0)
 *   requiredMax  = nextPow2(max(1024, ⌈projected × headroom⌉))
 *   max          = max(requiredMax, currentMax)
 *   buckets      = max(currentBuckets, nextPow2(max))
 *   memory       = max × bytesPerEntry + buckets × 8
 * </pre>
 *
 * <p>Why peaks and not averages: the table refuses connections at its peak. Why never shrink:
 * the window can miss a rare peak (failover, monthly batch), and an unused slot costs nothing —
 * entries are slab objects allocated per connection — so an oversized max costs only the
 * possibility of using that memory, while an undersized one drops connections; requiredMax is
 * still reported so an oversize is visible.
 *
 * <p>Buckets = max follows the kernel's own default since Linux 5.15 (commit d532bcd0b269,
 * "netfilter: conntrack: sanitize table size default settings"): every entry is hashed twice
 * (original and reply direction), so with max == buckets a full table has an average chain
 * length of 2 — Documentation/networking/nf_conntrack-sysctl.rst, nf_conntrack_max. The older
 * advice of buckets = max / 4 (or / 8) dates from the max_factor 4/8 defaults and gives chains of
 * 8–16. The hash table is an array of 8-byte {@code hlist_nulls_head}s, allocated in full.
 * bytesPerEntry is the {@code nf_conntrack} slab object size the agent reads from
 * {@code /proc/slabinfo} (256 on the Linux 6.18 test host); when unknown we assume 320, the
 * larger size seen on distribution kernels; conntrack extensions (acct, timestamps, labels,
 * NAT) live in separate allocations and are not counted.
 */
public final class CapacityPlanner {
    public static final long DEFAULT_BYTES_PER_ENTRY = 320;
    static final long BUCKET_BYTES = 8;
    static final long MIN_MAX = 1024;
    private static final long DAY_SECONDS = 86_400;

    private final Duration horizon;
    private final double headroom;

    public CapacityPlanner(Duration horizon, double headroom) {
        if (horizon.isNegative()) {
            throw new IllegalArgumentException("horizon must not be negative: " + horizon);
        }
        if (!(headroom >= 1)) {
            throw new IllegalArgumentException("headroom must be at least 1 (1.5 = 50% spare), got " + headroom);
        }
        this.horizon = horizon;
        this.headroom = headroom;
    }

    /** Plans every host with conntrack loaded; bytes per entry by host id, default when absent or ≤ 0. */
    public FleetCapacity planFleet(List<HostHistory> hosts, Map<String, Long> bytesPerEntry, Instant now) {
        List<CapacityPlan> plans = new ArrayList<>();
        long total = 0;
        long additional = 0;
        for (HostHistory h : hosts) {
            if (h.conntrack() != ConntrackModule.LOADED) {
                continue;
            }
            CapacityPlan p = plan(h, bytesPerEntry.getOrDefault(h.host(), 0L), now);
            plans.add(p);
            total += p.memoryBytes();
            additional += p.additionalMemoryBytes();
        }
        return new FleetCapacity(plans, total, additional);
    }

    public CapacityPlan plan(HostHistory h, long bytesPerEntry, Instant now) {
        long bpe = bytesPerEntry > 0 ? bytesPerEntry : DEFAULT_BYTES_PER_ENTRY;
        long peak = h.count();
        for (CountPoint p : h.points()) {
            peak = Math.max(peak, p.count());
        }
        double[] trend = peakTrend(h.points(), now);
        double growthPerDay = trend[1];
        double peakNow = Math.max(peak, trend[0]);
        double days = horizon.toSeconds() / (double) DAY_SECONDS;
        long projected = (long) Math.ceil(peakNow + Math.max(0, growthPerDay) * days);

        Optional<Instant> fullAt = Optional.empty();
        if (h.max() > 0 && peakNow >= h.max()) {
            fullAt = Optional.of(now);
        } else if (h.max() > 0 && growthPerDay > 0) {
            double inDays = (h.max() - peakNow) / growthPerDay;
            if (inDays < 365 * 100) {
                fullAt = Optional.of(now.plusSeconds((long) (inDays * DAY_SECONDS)));
            }
        }

        long required = nextPowerOfTwo(Math.max(MIN_MAX, (long) Math.ceil(projected * headroom)));
        long max = Math.max(required, h.max());
        long buckets = Math.max(h.buckets(), nextPowerOfTwo(max));
        long memory = max * bpe + buckets * BUCKET_BYTES;
        long current = h.max() * bpe + h.buckets() * BUCKET_BYTES;
        return new CapacityPlan(h.host(), h.max(), h.buckets(), peak, growthPerDay, projected, fullAt,
                required, max, buckets, bpe, memory, Math.max(0, memory - current), CapacityCommands.of(max, buckets));
    }

    /**
     * {level at now, slope per day} of the daily peaks, or of all points when fewer than three
     * days have data; {0, 0} without points.
     */
    static double[] peakTrend(List<CountPoint> points, Instant now) {
        if (points.isEmpty()) {
            return new double[] {0, 0};
        }
        TreeMap<Long, Long> peakByDay = new TreeMap<>();
        for (CountPoint p : points) {
            long daysBack = Math.floorDiv(Duration.between(p.ts(), now).toSeconds(), DAY_SECONDS);
            peakByDay.merge(daysBack, p.count(), Math::max);
        }
        long oldest = peakByDay.lastKey();
        Instant oldestDayStart = now.minusSeconds((oldest + 1) * DAY_SECONDS);
        if (peakByDay.size() > 3 && points.get(0).ts().isAfter(oldestDayStart.plusSeconds(3600))) {
            peakByDay.remove(oldest); // a partial first day has a falsely low peak and would fake growth
        }
        double nowSec = PredictLinear.seconds(now);
        LeastSquares ls = new LeastSquares(2);
        if (peakByDay.size() >= 3) {
            for (var e : peakByDay.entrySet()) {
                // x = the middle of that day, in days before now (negative).
                ls.add(new double[] {1, -(e.getKey() + 0.5)}, e.getValue());
            }
            LeastSquares.Fit fit = ls.solve();
            return fit == null ? new double[] {0, 0} : new double[] {fit.beta()[0], fit.beta()[1]};
        }
        for (CountPoint p : points) {
            ls.add(new double[] {1, (PredictLinear.seconds(p.ts()) - nowSec) / DAY_SECONDS}, p.count());
        }
        LeastSquares.Fit fit = ls.solve();
        // With under three days the line is the level's trend; the level is the observed peak.
        return fit == null ? new double[] {0, 0} : new double[] {0, fit.beta()[1]};
    }

    static long nextPowerOfTwo(long n) {
        if (n <= 1) {
            return 1;
        }
        return Long.highestOneBit(n - 1) << 1;
    }
}
