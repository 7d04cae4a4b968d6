package ctfleet.server.fleet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much each kernel counter grew across a series of cumulative samples, and how fast.
 *
 * <p>Each consecutive pair goes through {@link CounterIncrease} so a 32-bit wrap adds the wrapped
 * amount, a reboot (changed boot id) adds the new value and a change of unknown meaning adds nothing, instead of either turning into a huge
 * negative or positive jump. A column missing from one side of a pair contributes nothing for
 * that pair: an agent on an older kernel may simply not have the column.
 */
public record CounterTotals(Map<String, Long> increase, double seconds) {
    public CounterTotals {
        increase = Map.copyOf(increase);
    }

    public static CounterTotals of(List<CounterPoint> series) {
        Map<String, Long> sums = new HashMap<>();
        for (int i = 1; i < series.size(); i++) {
            CounterPoint prev = series.get(i - 1);
            CounterPoint cur = series.get(i);
            BootChange rebooted = BootChange.between(prev.bootId(), cur.bootId());
            for (var e : cur.stats().entrySet()) {
                Long before = prev.stats().get(e.getKey());
                if (before != null) {
                    long inc = CounterIncrease.between(before, e.getValue(), rebooted);
                    sums.merge(e.getKey(), inc, Long::sum);
                }
            }
        }
        double seconds = series.size() < 2
                ? 0
                : (series.get(series.size() - 1).ts().toEpochMilli() - series.get(0).ts().toEpochMilli()) / 1000.0;
        return new CounterTotals(sums, seconds);
    }

    public long increase(String column) {
        return increase.getOrDefault(column, 0L);
    }

    /** Increase per second over the series' span; 0 when the span is empty. */
    public double perSecond(String column) {
        return seconds > 0 ? increase(column) / seconds : 0;
    }
}
