package ctfleet.agent.procfs;

import java.util.Optional;

/**
 * One line of {@code /proc/net/nf_conntrack}, as printed by {@code ct_seq_show} in
 * net/netfilter/nf_conntrack_standalone.c.
 *
 * <p>Optional numbers are {@link Tuple#ABSENT} (-1) when the kernel did not print them: the kernel
 * omits {@code timeout} for offloaded entries, {@code mark} without CONFIG_NF_CONNTRACK_MARK,
 * {@code zone} unless the zone applies to both directions (then {@code zone-orig}/{@code
 * zone-reply} follow their tuple instead), and {@code delta-time} unless {@code
 * nf_conntrack_timestamp} is on. {@code secmark} appears only on old kernels.
 *
 * @param family       the kernel's l3 name: {@code ipv4}, {@code ipv6} (interned)
 * @param l3num        the l3 protocol number: 2 or 10
 * @param protocol     the kernel's l4 name: tcp, udp, udplite, icmp, icmpv6, gre, sctp, dccp or
 *                     {@code unknown} (interned)
 * @param protonum     the IP protocol number, meaningful for {@code unknown} (e.g. 253)
 * @param timeout      seconds until the entry expires; ABSENT for offloaded entries
 * @param state        the protocol state (tcp, sctp, dccp); empty for stateless protocols (interned)
 * @param assured      {@code [ASSURED]}; the kernel prints {@code [OFFLOAD]} or {@code [HW_OFFLOAD]}
 *                     instead of it, so an offloaded entry never shows assured here
 */
public record ConntrackEntry(
        String family,
        int l3num,
        String protocol,
        int protonum,
        long timeout,
        String state,
        Tuple original,
        Tuple reply,
        boolean unreplied,
        boolean assured,
        boolean offload,
        boolean hwOffload,
        long mark,
        long secmark,
        Optional<String> secctx,
        long zone,
        long zoneOrig,
        long zoneReply,
        long deltaTime,
        long use) {

    /** Offloaded to the software flow table or to hardware: the kernel no longer ages it by timeout. */
    public boolean offloaded() {
        return offload || hwOffload;
    }
}
