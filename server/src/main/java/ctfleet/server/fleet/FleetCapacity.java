package ctfleet.server.fleet;

import java.util.List;

/** Per-host plans and the memory the fleet must reserve for them (worst case: every table full). */
public record FleetCapacity(List<CapacityPlan> hosts, long totalMemoryBytes, long totalAdditionalMemoryBytes) {
    public FleetCapacity {
        hosts = List.copyOf(hosts);
    }
}
