package ctfleet.sim;

import java.util.Locale;

/** The shape of one simulated host's conntrack table over time. */
public enum Scenario {
    /** A steady level with a little noise: most of a healthy fleet. */
    FLAT,
    /** Follows the day: peaks in the evening of the host's data centre, lowest before dawn. */
    DIURNAL,
    /** Traffic growing by a few percent an hour: full within days, then dropping. */
    GROWTH,
    /** Entries that never expire pile up linearly on a steady base: full within weeks. */
    LEAK,
    /** Quiet, then now and then a burst that fills the table for tens of minutes, dropping meanwhile. */
    SPIKE,
    /** Pinned at the limit: early_drop and drop climb on every sample. */
    FULL,
    /**
     * One of an HA pair: every 8–16 hours one of the two fails over to the other for 45–120
     * minutes, turn about, and the survivor carries both loads (full, and dropping, when they
     * add up to more than its max).
     */
    PAIR;

    /** The command-line spelling. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
