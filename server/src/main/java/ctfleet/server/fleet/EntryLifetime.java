package ctfleet.server.fleet;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long an entry the table had to refuse would at least have held its slot: the timeout its
 * protocol makes it wait after its last packet, averaged over the host's protocol mix.
 *
 * <pre>
 *   lifetime = Σ_p share_p × tail_p                  (shares: the agent's sample, by protocol)
 *   tail_tcp = (n_tw + n_close) / (n_tw / t_time_wait + n_close / t_close)
 *   tail_udp = udp_timeout, tail_icmp = icmp_timeout, tail_icmpv6 = icmpv6_timeout,
 *   tail_gre = gre_timeout, tail_unknown = generic_timeout, any other protocol: udp_timeout
 * </pre>
 *
 * <p>Why a tail and not the whole life: every entry waits out its protocol's timeout after its
 * last packet (a TCP connection closed by FIN spends exactly {@code tcp_timeout_time_wait} in
 * TIME_WAIT, one closed by RST {@code tcp_timeout_close} in CLOSE, an unanswered UDP flow
 * {@code udp_timeout}), on top of however long it was in use, which the sample cannot tell. So the
 * tail is a lower bound of each entry's lifetime. TCP's tail is the mean of the two ways a
 * connection ends, weighted by how many end each way: at steady state the entries in a closing
 * state are its rate × its timeout (Little's law), so n / t is the rate at which connections end
 * that way. Without TIME_WAIT or CLOSE entries in the sample TCP's tail is TIME_WAIT's; without a
 * sample at all the host is taken for all TCP. A timeout the agent did not report takes its
 * Linux default.
 */
public record EntryLifetime(double seconds, String basis) {
    static final Map<String, Long> DEFAULTS = Map.of(
            "tcp_timeout_time_wait", 120L, "tcp_timeout_close", 10L, "udp_timeout", 30L, "icmp_timeout", 30L,
            "icmpv6_timeout", 30L, "gre_timeout", 30L, "generic_timeout", 600L);

    public static EntryLifetime of(StateSample sample, Map<String, Long> timeouts) {
        double timeWait = timeout(timeouts, "tcp_timeout_time_wait");
        double close = timeout(timeouts, "tcp_timeout_close");
        long total = sample.total();
        if (total <= 0) {
            return new EntryLifetime(timeWait, String.format(Locale.ROOT,
                    "no entry sample: taken as all TCP, whose closed connections wait out TIME_WAIT (%.0f s)", timeWait));
        }
        long tw = sample.tcp("TIME_WAIT");
        long cl = sample.tcp("CLOSE");
        double tcpTail = tw + cl > 0 ? (tw + cl) / (tw / timeWait + cl / close) : timeWait;
        Map<String, Long> byProtocol = new TreeMap<>();
        for (StateCount s : sample.states()) {
            byProtocol.merge(s.protocol(), s.count(), Long::sum);
        }
        double seconds = 0;
        StringBuilder basis = new StringBuilder();
        for (var e : byProtocol.entrySet()) {
            double tail = switch (e.getKey()) {
                case "tcp" -> tcpTail;
                case "icmp" -> timeout(timeouts, "icmp_timeout");
                case "icmpv6" -> timeout(timeouts, "icmpv6_timeout");
                case "gre" -> timeout(timeouts, "gre_timeout");
                case "unknown" -> timeout(timeouts, "generic_timeout");
                default -> timeout(timeouts, "udp_timeout");
            };
            double share = (double) e.getValue() / total;
            seconds += share * tail;
            if (share >= 0.01) {
                basis.append(basis.isEmpty() ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%s %.0f%% × %.0f s", e.getKey(), share * 100, tail));
            }
        }
        return new EntryLifetime(seconds, basis.toString());
    }

    private static double timeout(Map<String, Long> timeouts, String name) {
        Long v = timeouts.get(name);
        return v != null && v > 0 ? v : DEFAULTS.get(name);
    }
}
