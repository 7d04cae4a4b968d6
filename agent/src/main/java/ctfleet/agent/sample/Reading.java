package ctfleet.agent.sample;

import ctfleet.agent.procfs.Limits;
import ctfleet.agent.procfs.StatTable;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What one tick read from a host.
 *
 * @param limits  empty when conntrack is not loaded
 * @param stats   empty when the stat table is missing
 */
public record Reading(
        Instant ts,
        Optional<Limits> limits,
        Optional<StatTable> stats,
        SortedMap<String, Long> timeouts,
        String bootId) {

    public boolean conntrackLoaded() {
        return limits.isPresent();
    }
}
