package ctfleet.agent.sample;

import ctfleet.agent.procfs.BytesPerEntry;
import ctfleet.agent.procfs.Limits;
import ctfleet.agent.procfs.MemInfo;
import ctfleet.agent.procfs.StatTable;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What one tick read from a host.
 *
 * @param limits  empty when conntrack is not loaded
 * @param stats   empty when the stat table is missing
 * @param entries aggregates of the entries read this tick; empty when none were read
 * @param memInfo the host's MemTotal from /proc/meminfo, or why it is unknown
 */
public record Reading(
        Instant ts,
        Optional<Limits> limits,
        Optional<StatTable> stats,
        SortedMap<String, Long> timeouts,
        String bootId,
        Optional<EntrySample> entries,
        BytesPerEntry bytesPerEntry,
        MemInfo memInfo) {

    /** A reading without meminfo (its MemTotal unknown). */
    public Reading(Instant ts, Optional<Limits> limits, Optional<StatTable> stats, SortedMap<String, Long> timeouts,
                   String bootId, Optional<EntrySample> entries, BytesPerEntry bytesPerEntry) {
        this(ts, limits, stats, timeouts, bootId, entries, bytesPerEntry, MemInfo.MISSING);
    }

    public boolean conntrackLoaded() {
        return limits.isPresent();
    }
}
