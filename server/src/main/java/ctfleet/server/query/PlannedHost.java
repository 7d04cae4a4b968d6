package ctfleet.server.query;

import ctfleet.server.fleet.CapacityPlan;

/** A host's capacity plan, and whether its entry size is the agent's estimate (slabinfo unreadable). */
public record PlannedHost(CapacityPlan plan, boolean bytesPerEntryEstimated) {}
