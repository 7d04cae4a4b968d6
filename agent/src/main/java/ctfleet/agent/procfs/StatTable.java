package ctfleet.agent.procfs;

import java.util.Map;

/**
 * {@code /proc/net/stat/nf_conntrack} summed over CPUs.
 *
 * @param entries     the global entry count (the kernel repeats it on every CPU row; it is never summed)
 * @param counters    every other column summed over CPUs, keyed by the kernel's header name, in header order;
 *                    raw sums of 32-bit per-CPU counters, so they wrap and reset; empty when any row did
 *                    not parse or none was there (a partial sum would look like a wrap)
 * @param cpus        CPU rows that parsed
 * @param parseErrors rows that did not parse (a table with a header and no row counts as one)
 */
public record StatTable(long entries, Map<String, Long> counters, int cpus, int parseErrors) {
    public StatTable {
        counters = Map.copyOf(counters);
    }
}
