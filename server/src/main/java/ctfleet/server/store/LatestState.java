package ctfleet.server.store;

import ctfleet.server.fleet.BootChange;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A host's identity and newest sample, as the ranking and host views read it.
 *
 * @param entries  the newest entry breakdown its agent sent; empty when none was, and in fleet-wide
 *                 reads, which leave it out ({@link FleetReader#latest()})
 * @param imported the newest sample came from a history import, not a live agent
 * @param previous the counters of the sample the newest one replaced (empty before a second sample)
 * @param memTotalBytes the host's MemTotal as its agent last reported it; empty when never known
 * @param clockOffsetMillis the host's clock minus the server's at its agent's last hello (empty: not measured)
 * @param clockSkewed that offset was beyond the server's --clock-skew
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
        Optional<SampledEntries> entries,
        long droppedSamples,
        long conflicts,
        boolean imported,
        PreviousStats previous,
        OptionalLong memTotalBytes,
        OptionalLong clockOffsetMillis,
        boolean clockSkewed) {

    /**
     * @param ts       its time (0: none yet)
     * @param boot     its boot id against the newest sample's: same boot, reboot, or unknown
     */
    public record PreviousStats(Map<String, Long> stats, long ts, BootChange boot) {
        public static final PreviousStats NONE = new PreviousStats(Map.of(), 0, BootChange.REBOOT);
    }
}
