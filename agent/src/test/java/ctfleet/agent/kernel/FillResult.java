package ctfleet.agent.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * What {@link TableFiller} reports: the table's max and count when it stopped, datagrams sent
 * and refused (EPERM once early_drop finds nothing to evict), how long the fill took, and how much
 * the early_drop and drop counters grew during it.
 */
public record FillResult(long max, long count, long sent, long refused, long millis,
                         long earlyDropGrowth, long dropGrowth) {

    static final String FILLED = "FILLED";

    String format(String verdict) {
        return verdict + " max=" + max + " count=" + count + " sent=" + sent + " refused=" + refused
                + " millis=" + millis + " early_drop=" + earlyDropGrowth + " drop=" + dropGrowth;
    }

    /** Parses the filler's stdout; a NOT_FILLED or garbled line is an error naming what was seen. */
    public static FillResult parse(String stdout) {
        String line = stdout.strip();
        if (!line.startsWith(FILLED + " ")) {
            throw new IllegalStateException("table filler did not fill: " + line);
        }
        Map<String, Long> fields = new HashMap<>();
        for (String part : line.substring(FILLED.length()).trim().split("\\s+")) {
            String[] kv = part.split("=", 2);
            fields.put(kv[0], Long.parseLong(kv[1]));
        }
        return new FillResult(fields.get("max"), fields.get("count"), fields.get("sent"), fields.get("refused"),
                fields.get("millis"), fields.get("early_drop"), fields.get("drop"));
    }
}
