package ctfleet.server.fleet;

/**
 * Estimated entries in one state, scaled up from the agent's sample of the table.
 *
 * @param family   {@code ipv4} or {@code ipv6}
 * @param protocol {@code tcp}, {@code udp}, {@code icmp}, ... as {@code /proc/net/nf_conntrack} names it
 * @param state    TCP state ({@code ESTABLISHED}, {@code TIME_WAIT}, ...); empty for stateless protocols
 */
public record StateCount(String family, String protocol, String state, long count) {}
