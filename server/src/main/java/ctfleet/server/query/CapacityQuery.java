package ctfleet.server.query;

import ctfleet.server.fleet.CapacityPlanner;
import ctfleet.server.fleet.LabelFilter;
import java.time.Duration;

/**
 * What a capacity plan is asked: the history to read, how far ahead to plan, the headroom over the
 * projected peak, the most of a host's memory a plan may cost, and which hosts. The defaults are here
 * once: the fleet's plan ({@code ctfleet capacity}) and each host view's plan use them.
 */
public record CapacityQuery(Duration window, Duration horizon, double headroom, double maxMemoryShare,
                            LabelFilter labels) {
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);
    public static final Duration DEFAULT_HORIZON = Duration.ofDays(30);
    public static final double DEFAULT_HEADROOM = 1.5;

    public static CapacityQuery defaults() {
        return new CapacityQuery(DEFAULT_WINDOW, DEFAULT_HORIZON, DEFAULT_HEADROOM,
                CapacityPlanner.DEFAULT_MAX_MEMORY_SHARE, LabelFilter.ALL);
    }

    CapacityPlanner planner() {
        return new CapacityPlanner(horizon, headroom, maxMemoryShare);
    }
}
