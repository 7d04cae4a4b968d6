package ctfleet.agent.kernel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * /proc/net/stat/nf_conntrack reduced to what the kernel tests assert on: per-CPU hex counters
 * summed by header name, and {@code entries} kept apart because every row repeats the same
 * namespace-wide count (summing it would multiply the count by the CPU number).
 */
public record KernelStat(long entries, Map<String, Long> counters) {

    public static KernelStat parse(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("empty stat file");
        }
        String[] header = lines.get(0).trim().split("\\s+");
        Map<String, Long> sums = new HashMap<>();
        long entries = 0;
        for (String row : lines.subList(1, lines.size())) {
            String[] values = row.trim().split("\\s+");
            for (int i = 0; i < Math.min(header.length, values.length); i++) {
                long value = Long.parseLong(values[i], 16);
                if (header[i].equals("entries")) {
                    entries = value;
                } else {
                    sums.merge(header[i], value, Long::sum);
                }
            }
        }
        return new KernelStat(entries, Map.copyOf(sums));
    }

    public long counter(String name) {
        Long value = counters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no column " + name + " in " + counters.keySet());
        }
        return value;
    }

    /** Entries the kernel refused or evicted because the table was full. */
    public long fullTableLosses() {
        return counter("early_drop") + counter("drop");
    }
}
