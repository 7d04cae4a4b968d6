package ctfleet.server.fleet;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per-second rates of every kernel counter between two samples: the newest and the one it
 * replaced. Raw history keeps only the four counters the ranking reads; this covers the rest
 * ({@code insert}, {@code found}, {@code search_restart}, {@code chaintoolong}, ...), which tell
 * how many connections a host opens and whether its hash table is too small.
 */
public final class IntervalRates {
    private IntervalRates() {}

    /**
     * Rates for the counters present in both samples; empty when there is no earlier sample or the
     * two are not in time order. Wraps and reboots as in {@link CounterIncrease}.
     */
    public static Map<String, Double> between(Map<String, Long> previous, long previousTs, BootChange boot,
                                              Map<String, Long> current, long currentTs) {
        Map<String, Double> rates = new TreeMap<>();
        if (previousTs <= 0 || currentTs <= previousTs) {
            return rates;
        }
        double seconds = (currentTs - previousTs) / 1000.0;
        current.forEach((name, now) -> {
            Long before = previous.get(name);
            if (before != null) {
                rates.put(name, CounterIncrease.between(before, now, boot) / seconds);
            }
        });
        return rates;
    }
}
