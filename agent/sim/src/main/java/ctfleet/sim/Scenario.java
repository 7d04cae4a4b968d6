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
    FULL;

    /** The command-line spelling. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
