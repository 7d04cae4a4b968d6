package ctfleet.agent.sample;

import java.util.List;

/**
 * Aggregates of the lines read from {@code /proc/net/nf_conntrack} in one tick; field for field
 * what {@code ctfleet.v1.EntrySummary} carries. Counts are of the sampled entries: the server
 * scales them by {@code count / sampleSize} to estimate the whole table.
 *
 * @param sampleSize       lines that parsed into entries
 * @param parseErrors      lines that did not parse (counted and skipped)
 * @param fullScan         true when the whole table was read, not only its head
 * @param states           entries per (family, protocol, state), largest first
 * @param offloaded        entries marked [OFFLOAD] or [HW_OFFLOAD]; the kernel prints those flags
 *                         instead of [ASSURED], so they are not in {@code assured}
 * @param topApproximate   true when the top lists come from the Space-Saving sketch (a full scan
 *                         with very many distinct endpoints): each count may then overestimate by
 *                         at most sampleSize / sketch capacity; false means exact
 * @param topDestinations  the most frequent (original-direction dst address, dport, protocol);
 *                         port 0 for protocols without ports
 * @param topSources       the most frequent original-direction src addresses, over all protocols
 *                         (port 0, protocol empty): a source port is ephemeral, so only the address
 *                         says who opens the connections
 * @param rawEntries       the first few parsed lines verbatim, for drill-down
 * @param unrepliedByProtocol unreplied entries per protocol name (tcp, udp, icmp, ...)
 */
public record EntrySample(
        long sampleSize,
        long parseErrors,
        boolean fullScan,
        List<StateCount> states,
        long assured,
        long unreplied,
        long offloaded,
        boolean topApproximate,
        List<Endpoint> topDestinations,
        List<Endpoint> topSources,
        List<String> rawEntries,
        java.util.Map<String, Long> unrepliedByProtocol) {

    /** @param state empty for protocols without state (udp, icmp, gre, ...) */
    public record StateCount(String family, String protocol, String state, long sampled) {
    }

    public record Endpoint(String address, int port, String protocol, long sampled) {
    }
}
