package ctfleet.server.fleet;

/**
 * How much a kernel counter grew between two samples.
 *
 * <p>The agent sends each {@code /proc/net/stat/nf_conntrack} column summed over CPUs, and each
 * per-CPU counter is 32 bits. A reboot (a new boot id) restarts every counter from zero, so the
 * increase is the new value. Without a reboot a smaller value means one or more per-CPU counters
 * wrapped; each wrap takes exactly 2^32 off the sum, so the increase modulo 2^32 is exact as long
 * as the true increase between two samples is below 2^32 (4.3 billion drops in one interval).
 *
 * <p>When the boot ids cannot tell whether a reboot happened ({@link BootChange#UNKNOWN}: an imported
 * boot id next to an agent's, or a missing one), the increase over that interval is unknown too,
 * and counts as 0: the new value would be the whole since-boot count of a host that never rebooted.
 *
 * <p>A sum can also fall without a wrap: a CPU going offline takes its counter out of the sum, and
 * counters restart without a boot id to say so (node_exporter history without
 * {@code node_boot_time_seconds}). A wrap makes the sum fall by 2^32 minus the increase, i.e. by
 * more than 2^31 unless over 2 billion events happened in one interval; a smaller fall is such a
 * reset, and how much the counter grew across it is unknown: 0, not an invented increase. (PromQL's
 * {@code rate()} would take the new value, which turns a vanished CPU's whole history into refusals.)
 */
public final class CounterIncrease {
    static final long WRAP = 1L << 32;
    static final long HALF_WRAP = 1L << 31;

    private CounterIncrease() {}

    public static long between(long previous, long current, BootChange boot) {
        if (boot == BootChange.UNKNOWN) {
            return 0;
        }
        if (boot == BootChange.REBOOT) {
            return current;
        }
        if (current >= previous) {
            return current - previous;
        }
        if (previous - current <= HALF_WRAP) {
            return 0;
        }
        return Math.floorMod(current - previous, WRAP);
    }
}
