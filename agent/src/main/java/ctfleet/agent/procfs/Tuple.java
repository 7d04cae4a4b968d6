package ctfleet.agent.procfs;

/**
 * One direction of a conntrack entry as {@code /proc/net/nf_conntrack} prints it: the addresses,
 * the protocol's own identifiers, and the per-direction accounting counters.
 *
 * <p>Which identifiers exist depends on the protocol (tcp, udp, udplite, sctp and dccp print
 * ports; icmp and icmpv6 print type, code and id; gre prints keys; "unknown" prints none), and the
 * counters exist only when {@code nf_conntrack_acct} is on. A missing number is {@link #ABSENT}:
 * every one the kernel prints is unsigned, so -1 cannot collide, and the parser stays free of a
 * boxed Optional per field on its hot path.
 *
 * @param src source address; IPv6 in canonical compressed form (RFC 5952), e.g. {@code ::1}
 * @param dst destination address, same form
 * @param packets packets in this direction; the kernel's unsigned 64-bit counter, saturated at
 *                Long.MAX_VALUE
 * @param bytes   bytes in this direction, likewise
 */
public record Tuple(
        String src,
        String dst,
        int sport,
        int dport,
        int icmpType,
        int icmpCode,
        int icmpId,
        long srcKey,
        long dstKey,
        long packets,
        long bytes) {

    public static final int ABSENT = -1;

    /** A tuple of a port protocol (tcp, udp, udplite, sctp, dccp). */
    public static Tuple ports(String src, String dst, int sport, int dport, long packets, long bytes) {
        return new Tuple(src, dst, sport, dport, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, packets, bytes);
    }

    public boolean hasPorts() {
        return sport != ABSENT && dport != ABSENT;
    }

    public boolean hasIcmp() {
        return icmpType != ABSENT && icmpCode != ABSENT && icmpId != ABSENT;
    }

    public boolean hasGreKeys() {
        return srcKey != ABSENT && dstKey != ABSENT;
    }

    /** True when {@code nf_conntrack_acct} was on for this entry: packets= and bytes= were printed. */
    public boolean hasAccounting() {
        return packets != ABSENT && bytes != ABSENT;
    }
}
