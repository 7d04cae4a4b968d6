package ctfleet.server.query;

import java.util.List;

/**
 * The fleet's capacity plans, host by host, the memory they ask the fleet's kernels to hold, and
 * what the operator should check in the fleet's declarations ({@code DeclaredPairs#unpaired}).
 */
public record FleetPlan(List<PlannedHost> hosts, long totalMemoryBytes, long totalAdditionalMemoryBytes,
                        List<String> warnings) {
    public FleetPlan {
        hosts = List.copyOf(hosts);
        warnings = List.copyOf(warnings);
    }
}
