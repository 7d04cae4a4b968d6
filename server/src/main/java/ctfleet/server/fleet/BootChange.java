package ctfleet.server.fleet;

/**
 * What two samples' boot ids say about the counters between them.
 *
 * <p>An agent sends the kernel's boot id (a UUID from {@code /proc/sys/kernel/random/boot_id}); an
 * import sends {@code boot-<epoch seconds>} from node_exporter's {@code node_boot_time_seconds}, or
 * nothing. Two different ids of one kind mean a reboot; an imported id next to an agent's, or a
 * missing id next to any, says nothing: the same boot seen two ways would look like a reboot and
 * turn the whole since-boot counters into one interval's increase.
 */
public enum BootChange {
    /** One boot: a smaller value is a wrap or a reset ({@link CounterIncrease}). */
    SAME,
    /** The counters restarted from zero: the increase is the new value. */
    REBOOT,
    /** Whether the counters restarted is unknown: the increase is unknown too. */
    UNKNOWN;

    /** How an import spells a boot: node_exporter's boot time in epoch seconds. */
    public static final String IMPORTED_PREFIX = "boot-";
    /** The code of "no boot id" (the empty string's hash, as stored before codes had kinds). */
    static final int NONE = 0;
    // Imported ids get codes in [MIN_VALUE, MIN_VALUE + 0xffff], apart from almost every agent id's
    // hash (an agent boot with a hash in there, 1 in 65,536, only loses the increase across its reboot).
    private static final int IMPORTED_MASK = 0xffff;

    /**
     * The 32-bit code stored with each raw sample and rollup ({@code samples.boot}): an agent id's
     * {@code hashCode} as always, an imported id's moved into the imported range so that the kind
     * survives in the code.
     */
    public static int code(String bootId) {
        if (bootId.isEmpty()) {
            return NONE;
        }
        if (imported(bootId)) {
            return Integer.MIN_VALUE | (bootId.hashCode() & IMPORTED_MASK);
        }
        return bootId.hashCode();
    }

    public static BootChange between(String previous, String current) {
        if (previous.equals(current)) {
            return SAME;
        }
        if (previous.isEmpty() || current.isEmpty() || imported(previous) != imported(current)) {
            return UNKNOWN;
        }
        return REBOOT;
    }

    /** As {@link #between(String, String)}, from stored codes. */
    public static BootChange between(int previous, int current) {
        if (previous == current) {
            return SAME;
        }
        if (previous == NONE || current == NONE || importedCode(previous) != importedCode(current)) {
            return UNKNOWN;
        }
        return REBOOT;
    }

    private static boolean imported(String bootId) {
        return bootId.startsWith(IMPORTED_PREFIX);
    }

    private static boolean importedCode(int code) {
        return (code & ~IMPORTED_MASK) == Integer.MIN_VALUE;
    }
}
