package ctfleet.server.store;

import java.util.Map;

/**
 * A host's identity and newest sample, as the ranking and host views read it.
 *
 * @param imported the newest sample came from a history import, not a live agent
 */
public record LatestState(
        String hostId,
        Map<String, String> labels,
        String kernel,
        long ts,
        long receivedAt,
        boolean loaded,
        long count,
        long max,
        long buckets,
        Map<String, Long> stats,
        Map<String, Long> timeouts,
        long bytesPerEntry,
        boolean bytesEstimated,
        String entries,
        long droppedSamples,
        long conflicts,
        boolean imported) {}
