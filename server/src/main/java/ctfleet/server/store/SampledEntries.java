package ctfleet.server.store;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The breakdown of the entries an agent sampled from {@code /proc/net/nf_conntrack} with one sample,
 * in the one form the server keeps it: ingest makes it from the wire, the store keeps it (as JSON
 * text, {@link EntriesJson}, in {@code host_latest} and {@code entry_summaries}), and the queries
 * scale it to the whole table. Counts are of sampled entries, not of the table.
 *
 * @param sampleSize          lines parsed into entries
 * @param parseErrors         lines that did not parse
 * @param fullScan            the whole table was read rather than its head
 * @param unrepliedByProtocol unreplied entries per protocol name (tcp, udp, ...): which timeout to lower
 */
public record SampledEntries(
        long sampleSize,
        long parseErrors,
        boolean fullScan,
        List<State> states,
        long assured,
        long unreplied,
        List<Endpoint> topDestinations,
        List<Endpoint> topSources,
        List<String> rawEntries,
        Map<String, Long> unrepliedByProtocol) {

    /** Entries of one family, protocol and state (empty for protocols without one) among the sampled. */
    public record State(String family, String protocol, String state, long sampled) {}

    /** A destination (address, port, protocol) or a source (address; port 0, protocol empty) and its sampled entries. */
    public record Endpoint(String address, int port, String protocol, long sampled) {}

    public SampledEntries {
        states = List.copyOf(states);
        topDestinations = List.copyOf(topDestinations);
        topSources = List.copyOf(topSources);
        rawEntries = List.copyOf(rawEntries);
        unrepliedByProtocol = new TreeMap<>(unrepliedByProtocol);
    }
}
