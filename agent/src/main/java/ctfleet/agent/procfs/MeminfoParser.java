package ctfleet.agent.procfs;

import java.util.OptionalLong;

/**
 * Parses {@code /proc/meminfo}: one {@code Name: value [kB]} per line (fs/proc/meminfo.c prints
 * each value with {@code show_val_kb}: pages shifted to KiB, then {@code " kB"}; the HugePages_*
 * counts have no unit). Pure: reading the file is the caller's job.
 *
 * <p>Only MemTotal is kept. Every line is still checked, so a file that is not meminfo at all shows
 * up as parse errors rather than as a silently missing MemTotal.
 */
public final class MeminfoParser {
    private static final String MEM_TOTAL = "MemTotal";
    private static final long KIB = 1024;

    private MeminfoParser() {}

    public static MemInfo parse(String text) {
        OptionalLong memTotal = OptionalLong.empty();
        boolean seen = false;
        int errors = 0;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            long kib = colon > 0 ? value(line.substring(colon + 1)) : -1;
            String name = colon > 0 ? line.substring(0, colon) : "";
            if (kib < 0) {
                errors++;
                seen |= name.equals(MEM_TOTAL);
                continue;
            }
            if (name.equals(MEM_TOTAL) && !seen) {
                seen = true;
                // A zero MemTotal is not a host: treat it like a mangled line.
                if (kib == 0 || kib > Long.MAX_VALUE / KIB) {
                    errors++;
                } else {
                    memTotal = OptionalLong.of(kib * KIB);
                }
            }
        }
        return new MemInfo(memTotal, errors);
    }

    /** The number of {@code "   24683748 kB"} or {@code "   0"}, or -1 when the text is anything else. */
    private static long value(String rest) {
        String s = rest.strip();
        if (s.endsWith(" kB")) {
            s = s.substring(0, s.length() - 3).stripTrailing();
        }
        if (s.isEmpty() || s.length() > 18) { // 18 digits cannot overflow a long
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
