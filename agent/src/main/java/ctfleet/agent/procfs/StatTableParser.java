package ctfleet.agent.procfs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code /proc/net/stat/nf_conntrack}: a header line of column names, then one row of hex
 * values per CPU.
 *
 * <p>Columns are read by header name, never by position: kernels before 5.x print
 * {@code searched ... delete_list}, newer ones {@code clashres ... chainlength}, and future ones may
 * add more (prometheus/procfs maps by position and loses every counter when a column is added).
 * Unknown columns are carried through. {@code entries} is the global count repeated on every CPU row,
 * so summing it is wrong: it is taken from the first row.
 *
 * <p>Sums are all or nothing: when a CPU row does not parse, or no row does, the table carries no
 * counters at all (the errors are still counted). A sum that skipped a CPU is smaller than the last
 * one, and the server reads any decrease without a reboot as a 32-bit wrap: one bad row became
 * ~4 billion phantom drops in one interval.
 */
public final class StatTableParser {
    private static final String ENTRIES = "entries";
    private static final java.util.regex.Pattern COLUMN = java.util.regex.Pattern.compile("[a-z0-9_]{1,64}");

    private StatTableParser() {}

    public static StatTable parse(String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            return new StatTable(0, Map.of(), 0, lines.length > 1 ? lines.length - 1 : 0);
        }
        String[] header = lines[0].trim().split("\\s+");
        for (String name : header) {
            // Kernel column names are [a-z0-9_]; anything else (NUL bytes, noise) is not a header, and
            // carrying it would make the server refuse every sample (it accepts only such names).
            if (!COLUMN.matcher(name).matches()) {
                return new StatTable(0, Map.of(), 0, lines.length);
            }
        }
        long[] sums = new long[header.length];
        long entries = -1;
        int cpus = 0;
        int errors = 0;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            long[] row = parseRow(line, header.length);
            if (row == null) {
                errors++;
                continue;
            }
            cpus++;
            for (int c = 0; c < header.length; c++) {
                if (header[c].equals(ENTRIES)) {
                    if (entries < 0) {
                        entries = row[c];
                    }
                } else {
                    sums[c] += row[c];
                }
            }
        }
        if (errors > 0 || cpus == 0) {
            // A header without rows is as unusable as a bad row: zeros would read as a wrap too.
            return new StatTable(Math.max(entries, 0), Map.of(), cpus, cpus == 0 ? Math.max(errors, 1) : errors);
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        for (int c = 0; c < header.length; c++) {
            if (!header[c].equals(ENTRIES)) {
                counters.merge(header[c], sums[c], Long::sum);
            }
        }
        return new StatTable(Math.max(entries, 0), counters, cpus, errors);
    }

    /** One CPU row, or null when it does not have exactly one 32-bit hex value per column. */
    private static long[] parseRow(String line, int columns) {
        String[] fields = line.split("\\s+");
        if (fields.length != columns) {
            return null;
        }
        long[] values = new long[columns];
        for (int i = 0; i < columns; i++) {
            String f = fields[i];
            if (f.isEmpty() || f.length() > 8) {
                return null;
            }
            long v = 0;
            for (int k = 0; k < f.length(); k++) {
                int d = Character.digit(f.charAt(k), 16);
                if (d < 0) {
                    return null;
                }
                v = (v << 4) | d;
            }
            values[i] = v;
        }
        return values;
    }
}
