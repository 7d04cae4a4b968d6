package ctfleet.server.fleet;

/**
 * How much a kernel counter grew between two samples.
 *
 * <p>The agent sends each {@code /proc/net/stat/nf_conntrack} column summed over CPUs, and each
 * per-CPU counter is 32 bits. A reboot (a new boot id) restarts every counter from zero, so the
 * increase is the new value. Without a reboot a smaller value means one or more per-CPU counters
 * wrapped; each wrap takes exactly 2^32 off the sum, so the increase modulo 2^32 is exact as long
 * as the true increase between two samples is below 2^32 (4.3 billion drops in one interval).
 */
public final class CounterIncrease {
    static final long WRAP = 1L << 32;

    private CounterIncrease() {}

    public static long between(long previous, long current, boolean rebooted) {
        if (rebooted) {
            return current;
        }
        if (current >= previous) {
            return current - previous;
        }
        return Math.floorMod(current - previous, WRAP);
    }
}
