package ctfleet.server.fleet;

import java.util.Locale;

/** What a capacity plan asks the operator to do. */
public enum CapacityAction {
    /** Set a larger nf_conntrack_max and/or hash size: the commands say how. */
    RAISE,
    /** Nothing to change: today's settings cover the plan. */
    KEEP,
    /** Do not raise: the growth does not look like demand (a leak, an acceleration, a step). */
    INVESTIGATE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
