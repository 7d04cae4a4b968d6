package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the fleet logic knows about one host over a query window.
 *
 * @param count    newest {@code nf_conntrack_count}
 * @param max      newest {@code nf_conntrack_max}; 0 means the kernel enforces no limit
 * @param interval how often the agent is expected to sample; staleness is measured in intervals
 * @param points   counts in the window, oldest first
 * @param counters cumulative per-CPU-summed counters in the window, oldest first
 * @param imported the data came from an import (e.g. Prometheus history), not a live agent: there
 *                 is no agent that could fall silent, so the host is never stale for lack of one
 * @param recent   the newest raw samples (about the last hour), oldest first, when {@code points}
 *                 are buckets: what a surge of the last minutes is seen in; empty when unknown
 * @param clockSkewed its agent's clock was beyond the server's --clock-skew at the last hello
 *                 (measured and decided by ingest; the status says so)
 */
public record HostHistory(
        String host,
        Map<String, String> labels,
        ConntrackModule conntrack,
        long count,
        long max,
        long buckets,
        Instant lastSeen,
        Duration interval,
        List<CountPoint> points,
        List<CounterPoint> counters,
        boolean imported,
        List<CountPoint> recent,
        boolean clockSkewed) {

    /** A live agent's host. */
    public HostHistory(String host, Map<String, String> labels, ConntrackModule conntrack, long count, long max,
                       long buckets, Instant lastSeen, Duration interval, List<CountPoint> points,
                       List<CounterPoint> counters) {
        this(host, labels, conntrack, count, max, buckets, lastSeen, interval, points, counters, false);
    }

    public HostHistory(String host, Map<String, String> labels, ConntrackModule conntrack, long count, long max,
                       long buckets, Instant lastSeen, Duration interval, List<CountPoint> points,
                       List<CounterPoint> counters, boolean imported) {
        this(host, labels, conntrack, count, max, buckets, lastSeen, interval, points, counters, imported, List.of(),
                false);
    }

    public HostHistory {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(conntrack, "conntrack");
        Objects.requireNonNull(lastSeen, "lastSeen");
        labels = Map.copyOf(labels);
        points = points instanceof CountSeries ? points : List.copyOf(points); // CountSeries is immutable
        counters = List.copyOf(counters);
        recent = List.copyOf(recent);
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
    }

    /** count / max, absent when there is no limit to fill (max 0) or no conntrack at all. */
    public java.util.OptionalDouble fill() {
        return conntrack == ConntrackModule.LOADED && max > 0
                ? java.util.OptionalDouble.of((double) count / max)
                : java.util.OptionalDouble.empty();
    }
}
