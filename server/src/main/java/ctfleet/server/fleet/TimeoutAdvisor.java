package ctfleet.server.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which conntrack timeout to lower when one kind of entry crowds the table.
 *
 * <p>At steady state an entry kind's population is its arrival rate × how long each one is held
 * (Little's law), and the timeout is most of the holding time for entries that are only waiting
 * to expire, so lowering a timeout from {@code old} to {@code new} frees about
 * {@code n × (1 − new / old)} of its {@code n} entries.
 *
 * <p>Rules (share = entries / sampled table; defaults from
 * Documentation/networking/nf_conntrack-sysctl.rst). Advice is given only while the timeout is
 * at its kernel default: a value someone changed was changed on purpose (kube-proxy, for one,
 * raises close_wait to an hour).
 * <ul>
 *   <li>TCP TIME_WAIT share &gt; dominantShare: {@code tcp_timeout_time_wait} 120 → 30.
 *   <li>TCP CLOSE_WAIT share &gt; dominantShare: {@code tcp_timeout_close_wait} 60 → 15.
 *   <li>Unreplied share &gt; dominantShare: for each protocol holding at least a quarter of the
 *       unreplied entries, TCP {@code tcp_timeout_syn_sent} 120 → 30, UDP {@code udp_timeout}
 *       30 → 10, ICMP {@code icmp_timeout} / {@code icmpv6_timeout} 30 → 10.
 *   <li>TCP ESTABLISHED share &gt; dominantShare and table fill &gt; establishedFill:
 *       {@code tcp_timeout_established} 432000 (5 days) → 86400; the linear estimate is an upper
 *       bound here, since only connections that vanished without FIN/RST wait out this timeout.
 * </ul>
 */
public final class TimeoutAdvisor {
    private static final String PREFIX = "net.netfilter.nf_conntrack_";

    private final double dominantShare;
    private final double establishedFill;

    public TimeoutAdvisor(double dominantShare, double establishedFill) {
        this.dominantShare = dominantShare;
        this.establishedFill = establishedFill;
    }

    public static TimeoutAdvisor defaults() {
        return new TimeoutAdvisor(0.30, 0.75);
    }

    /**
     * @param timeouts seconds by sysctl name without {@code net.netfilter.nf_conntrack_}, e.g.
     *                 {@code tcp_timeout_time_wait}; a missing timeout gets no advice (we cannot
     *                 tell whether it is the default)
     */
    public List<TimeoutAdvice> advise(StateSample sample, Map<String, Long> timeouts, long count, long max) {
        List<TimeoutAdvice> out = new ArrayList<>();
        long total = sample.total();
        if (total <= 0) {
            return out;
        }
        consider(out, "TIME_WAIT", sample.tcp("TIME_WAIT"), total, timeouts, "tcp_timeout_time_wait", 120, 30,
                "TIME_WAIT only guards against late duplicates of a closed connection; under 30 s a very "
                        + "slow peer's retransmitted FIN may be classified INVALID.");
        consider(out, "CLOSE_WAIT", sample.tcp("CLOSE_WAIT"), total, timeouts, "tcp_timeout_close_wait", 60, 15,
                "An application that keeps half-closed sockets open longer than 15 s will see later "
                        + "packets picked up as new (tcp_loose) or dropped as INVALID.");
        long unreplied = sample.unreplied();
        if ((double) unreplied / total > dominantShare) {
            for (var e : sample.unrepliedByProtocol().entrySet()) {
                if (e.getValue() * 4 < unreplied) {
                    continue;
                }
                switch (e.getKey()) {
                    case "tcp" -> consider(out, "unreplied TCP", e.getValue(), total, timeouts,
                            "tcp_timeout_syn_sent", 120, 30,
                            "Linux retries a SYN for about 127 s; a handshake that needs more than 30 s "
                                    + "(lossy links) loses its entry and the SYN-ACK is dropped as INVALID.");
                    case "udp" -> consider(out, "unreplied UDP", e.getValue(), total, timeouts,
                            "udp_timeout", 30, 10,
                            "Replies slower than 10 s (a slow DNS resolver, a sleeping peer) arrive after "
                                    + "the entry is gone and are treated as new flows; NAT replies are lost.");
                    case "icmp" -> consider(out, "unreplied ICMP", e.getValue(), total, timeouts,
                            "icmp_timeout", 30, 10, "Echo replies slower than 10 s are not matched.");
                    case "icmpv6" -> consider(out, "unreplied ICMPv6", e.getValue(), total, timeouts,
                            "icmpv6_timeout", 30, 10, "Echo replies slower than 10 s are not matched.");
                    default -> { }
                }
            }
        }
        if (max > 0 && (double) count / max > establishedFill) {
            consider(out, "ESTABLISHED", sample.tcp("ESTABLISHED"), total, timeouts,
                    "tcp_timeout_established", 432_000, 86_400,
                    "Idle connections without keepalive (database pools, SSH, long polls) are forgotten "
                            + "after a day of silence; behind NAT they break. The freed estimate is an upper "
                            + "bound: live connections do not shrink with the timeout.");
        }
        out.sort(Comparator.comparingLong(TimeoutAdvice::estimatedFreed).reversed());
        return out;
    }

    private void consider(List<TimeoutAdvice> out, String what, long n, long total, Map<String, Long> timeouts,
            String name, long kernelDefault, long suggested, String caveat) {
        double share = (double) n / total;
        Long current = timeouts.get(name);
        if (share <= dominantShare || current == null || current != kernelDefault) {
            return;
        }
        long freed = Math.round(n * (1 - (double) suggested / current));
        String sysctl = PREFIX + name;
        String message = String.format(Locale.ROOT,
                "%s entries are %.0f%% of the table (%d); %s is at the kernel default %d s — lowering it to %d s "
                        + "should free about %d entries.",
                what, share * 100, n, name, current, suggested, freed);
        out.add(new TimeoutAdvice(sysctl, current, suggested, n, freed, message,
                "sysctl -w " + sysctl + "=" + suggested, caveat));
    }
}
