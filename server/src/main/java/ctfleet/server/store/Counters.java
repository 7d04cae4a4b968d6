package ctfleet.server.store;

import ctfleet.server.fleet.BootChange;
import ctfleet.server.fleet.CounterIncrease;

/**
 * The raw kernel counters of one sample and the boot they belong to: what an increase is computed
 * from.
 *
 * @param boot the boot id's {@link BootChange#code}; a change means the counters restarted, or may have
 */
public record Counters(int boot, long drop, long earlyDrop, long insertFailed, long invalid) {
    /** No increase at all: a window's first point, or an empty window. */
    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0);

    /** The increases from {@code previous} to this, as a Counters of increases (boot is this one's). */
    public Counters since(Counters previous) {
        BootChange rebooted = BootChange.between(previous.boot, boot);
        return new Counters(boot,
                CounterIncrease.between(previous.drop, drop, rebooted),
                CounterIncrease.between(previous.earlyDrop, earlyDrop, rebooted),
                CounterIncrease.between(previous.insertFailed, insertFailed, rebooted),
                CounterIncrease.between(previous.invalid, invalid, rebooted));
    }
}
