package ctfleet.server.fleet;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a capacity plan needs to know about a host beyond its count history: what it can afford,
 * what fills its table, how long its entries live, and what it refused.
 *
 * @param memTotalBytes   MemTotal as the host's agent last reported it; empty when unknown
 *                        (imported hosts, older agents)
 * @param bytesPerEntry   kernel memory per entry (slabinfo or the agent's estimate); 0 when unknown
 * @param states          the table's makeup scaled from the agent's sample; empty without one
 * @param assured         estimated assured entries (a reply was seen)
 * @param topDestinations the most frequent destinations, most first, scaled like {@code states}
 * @param timeouts        seconds by sysctl name without {@code net.netfilter.nf_conntrack_}
 * @param refusals        what the host refused, stretch by stretch, oldest first
 */
public record HostFacts(
        OptionalLong memTotalBytes,
        long bytesPerEntry,
        StateSample states,
        long assured,
        List<Destination> topDestinations,
        Map<String, Long> timeouts,
        List<RefusalPoint> refusals) {

    /** One frequent destination of the table's entries. */
    public record Destination(String address, int port, String protocol, long entries) {}

    public HostFacts {
        Objects.requireNonNull(memTotalBytes, "memTotalBytes");
        Objects.requireNonNull(states, "states");
        topDestinations = List.copyOf(topDestinations);
        timeouts = Map.copyOf(timeouts);
        refusals = List.copyOf(refusals);
    }

    /** Only the entry size: a host the plan knows nothing else about. */
    public static HostFacts bytesPerEntryOnly(long bytesPerEntry) {
        return new HostFacts(OptionalLong.empty(), bytesPerEntry, StateSample.NONE, 0, List.of(), Map.of(), List.of());
    }
}
