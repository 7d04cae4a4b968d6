package ctfleet.server.query;

import ctfleet.server.fleet.CapacityPlan;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.TimeoutAdvice;
import ctfleet.server.store.LatestState;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything known about one host: its line of the ranking (with its place in the fleet), its newest
 * state, what fills its table, its counters' rates, its capacity plan and timeout advice.
 *
 * @param rates    per second: drop, early_drop, insert_failed and invalid over the window, every other
 *                 counter over the newest sampling interval
 * @param capacity the host's plan with the default settings; empty without conntrack
 * @param advice   timeouts worth changing; empty without conntrack
 */
public record HostView(HostRank rank, LatestState latest, EntryEstimates entries, Map<String, Double> rates,
                       Optional<CapacityPlan> capacity, List<TimeoutAdvice> advice) {
    public HostView {
        rates = Map.copyOf(rates);
        advice = List.copyOf(advice);
    }
}
