package ctfleet.server.store;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One sample of one host as the store keeps it.
 *
 * @param loaded    false when the host reported "conntrack not loaded"
 * @param stats     per-CPU counters summed over CPUs, by the kernel's column names (raw, wrapping)
 * @param timeouts  empty when the agent did not resend them (unchanged)
 * @param entries   the sampled-entry breakdown; empty when the tick read no entries
 * @param memTotalBytes the host's MemTotal; empty when the agent did not know it
 */
public record SampleRow(
        long ts,
        boolean loaded,
        long count,
        long max,
        long buckets,
        long expectMax,
        int acct,
        String bootId,
        Map<String, Long> stats,
        SortedMap<String, Long> timeouts,
        long bytesPerEntry,
        boolean bytesEstimated,
        Optional<SampledEntries> entries,
        OptionalLong memTotalBytes) {

    /** A sample without the host's memory (imports, agents older than MemTotal). */
    public SampleRow(long ts, boolean loaded, long count, long max, long buckets, long expectMax, int acct,
                     String bootId, Map<String, Long> stats, SortedMap<String, Long> timeouts, long bytesPerEntry,
                     boolean bytesEstimated, Optional<SampledEntries> entries) {
        this(ts, loaded, count, max, buckets, expectMax, acct, bootId, stats, timeouts, bytesPerEntry, bytesEstimated,
                entries, OptionalLong.empty());
    }

    public SampleRow {
        stats = Map.copyOf(stats);
        timeouts = new TreeMap<>(timeouts);
    }

    public long stat(String name) {
        return stats.getOrDefault(name, 0L);
    }
}
