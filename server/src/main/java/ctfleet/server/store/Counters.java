package ctfleet.server.store;

import ctfleet.server.fleet.CounterIncrease;

/**
 * The raw kernel counters of one sample and the boot they belong to: what an increase is computed
 * from.
 *
 * @param boot hash of the kernel boot id; a change means every counter restarted from zero
 */
public record Counters(int boot, long drop, long earlyDrop, long insertFailed, long invalid) {

    /** The increases from {@code previous} to this, as a Counters of increases (boot is this one's). */
    public Counters since(Counters previous) {
        boolean rebooted = previous.boot != boot;
        return new Counters(boot,
                CounterIncrease.between(previous.drop, drop, rebooted),
                CounterIncrease.between(previous.earlyDrop, earlyDrop, rebooted),
                CounterIncrease.between(previous.insertFailed, insertFailed, rebooted),
                CounterIncrease.between(previous.invalid, invalid, rebooted));
    }
}
