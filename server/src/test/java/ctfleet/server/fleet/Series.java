package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

/** Builders for hand-made host histories: one point per {@link #STEP}, ending at {@link #NOW}. */
final class Series {
    static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
    static final Duration STEP = Duration.ofMinutes(1);

    /** n count points ending at NOW, count(i) for i = 0 (oldest) .. n-1 (newest). */
    static List<CountPoint> counts(int n, long max, IntToLongFunction count) {
        return counts(n, STEP, max, count);
    }

    static List<CountPoint> counts(int n, Duration step, long max, IntToLongFunction count) {
        List<CountPoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CountPoint(NOW.minus(step.multipliedBy(n - 1 - i)), count.applyAsLong(i), max));
        }
        return out;
    }

    /** Counter points over the same instants as {@link #counts(int, long, IntToLongFunction)}, one boot. */
    static List<CounterPoint> counters(int n, String column, IntToLongFunction value) {
        List<CounterPoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CounterPoint(NOW.minus(STEP.multipliedBy(n - 1 - i)), "boot-a",
                    Map.of(column, value.applyAsLong(i), "found", 7L * i)));
        }
        return out;
    }

    static HostHistory host(String id, long max, List<CountPoint> points, List<CounterPoint> counters) {
        long count = points.isEmpty() ? 0 : points.get(points.size() - 1).count();
        return new HostHistory(id, Map.of("role", "lb"), ConntrackModule.LOADED, count, max, max, NOW, STEP,
                points, counters);
    }

    /** A host sitting at {@code count} with no drops. */
    static HostHistory flat(String id, long count, long max) {
        return host(id, max, counts(60, max, i -> count), counters(60, "drop", i -> 5));
    }

    private Series() {}
}
