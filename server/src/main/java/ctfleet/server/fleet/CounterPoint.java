package ctfleet.server.fleet;

import java.time.Instant;
import java.util.Map;

/**
 * Cumulative {@code /proc/net/stat/nf_conntrack} counters at {@code ts}, each column summed over
 * CPUs ({@code drop}, {@code early_drop}, {@code insert_failed}, ...), with the boot id they were
 * read under: a different boot id on the next point means the counters restarted from zero.
 */
public record CounterPoint(Instant ts, String bootId, Map<String, Long> stats) {
    public CounterPoint {
        stats = Map.copyOf(stats);
    }
}
