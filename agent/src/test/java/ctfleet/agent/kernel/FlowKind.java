package ctfleet.agent.kernel;

import java.util.Optional;

/**
 * A kind of flow {@link FlowMaker} can hold open, with the conntrack entry it leaves: one entry
 * per flow. The expectations are disjoint, so every line matches at most one kind.
 */
public enum FlowKind {
    TCP4_ESTABLISHED("tcp4-established", "ipv4", "tcp", "ESTABLISHED", false),
    TCP6_ESTABLISHED("tcp6-established", "ipv6", "tcp", "ESTABLISHED", false),
    /** Both ends closed in order; conntrack keeps the entry 120 s (nf_conntrack_tcp_timeout_time_wait). */
    TCP4_TIME_WAIT("tcp4-time-wait", "ipv4", "tcp", "TIME_WAIT", false),
    /** Connect to the port the ruleset drops: SYN retransmits, never an answer. */
    TCP4_SYN_SENT("tcp4-syn-sent", "ipv4", "tcp", "SYN_SENT", true),
    UDP4_UNREPLIED("udp4-unreplied", "ipv4", "udp", null, true),
    UDP4_REPLIED("udp4-replied", "ipv4", "udp", null, false),
    UDP6_REPLIED("udp6-replied", "ipv6", "udp", null, false),
    /** Echo request and reply; one flow per destination because the ICMP id is the JVM's pid. */
    ICMP4_ECHO("icmp4-echo", "ipv4", "icmp", null, false);

    private final String specName;
    private final String family;
    private final String protocol;
    private final Optional<String> state;
    private final boolean unreplied;

    FlowKind(String specName, String family, String protocol, String state, boolean unreplied) {
        this.specName = specName;
        this.family = family;
        this.protocol = protocol;
        this.state = Optional.ofNullable(state);
        this.unreplied = unreplied;
    }

    public String specName() {
        return specName;
    }

    public String family() {
        return family;
    }

    public String protocol() {
        return protocol;
    }

    /** TCP state as the kernel spells it; empty for stateless protocols. */
    public Optional<String> state() {
        return state;
    }

    public boolean unreplied() {
        return unreplied;
    }

    public boolean matches(ConntrackLine line) {
        return line.family().equals(family) && line.protocol().equals(protocol)
                && line.state().equals(state) && line.unreplied() == unreplied;
    }

    public static FlowKind bySpecName(String specName) {
        for (FlowKind kind : values()) {
            if (kind.specName.equals(specName)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown flow kind " + specName);
    }
}
