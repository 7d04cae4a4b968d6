package ctfleet.server.query;

import java.util.List;

/** The fleet's capacity plans, host by host, and the memory they ask the fleet's kernels to hold. */
public record FleetPlan(List<PlannedHost> hosts, long totalMemoryBytes, long totalAdditionalMemoryBytes) {
    public FleetPlan {
        hosts = List.copyOf(hosts);
    }
}
