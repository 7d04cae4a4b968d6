package ctfleet.server.query;

import ctfleet.server.fleet.HostRank;
import java.util.List;
import java.util.Map;

/**
 * The fleet at a glance.
 *
 * @param byStatus       hosts per status, by its wire name (ok, warn, crit, dropping, stale, ...)
 * @param dropsInWindow  drop + early_drop + insert_failed over the window, summed over the fleet
 * @param nearest        the first five of the ranking
 */
public record FleetSummary(int hosts, int stale, int withoutConntrack, Map<String, Integer> byStatus,
                           double dropsInWindow, List<HostRank> nearest) {
    public FleetSummary {
        byStatus = Map.copyOf(byStatus);
        nearest = List.copyOf(nearest);
    }
}
