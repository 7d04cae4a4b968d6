package ctfleet.sim;

import ctfleet.agent.sample.EntrySample;
import ctfleet.agent.sample.EntrySample.Endpoint;
import ctfleet.agent.sample.EntrySample.StateCount;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the head of a simulated host's {@code /proc/net/nf_conntrack} would aggregate to: the
 * breakdown a real agent sends with every sample (its default {@code --sample 2000}). A pure
 * function of the profile and the table's count, so a simulation stays reproducible.
 *
 * <p>Ordinary traffic follows the host's {@link EntryMix}. A leaking host's extra entries are
 * ESTABLISHED and assured, all to one destination from one client (a connection pool that never
 * closes, a tunnel that is never torn down): they wait out {@code tcp_timeout_established}, five
 * days by default, so they pile up while the rest of the table comes and goes.
 */
final class SyntheticEntries {
    static final int SAMPLE_LINES = 2000;

    private SyntheticEntries() {}

    /**
     * @param count  the table's count at this instant
     * @param leaked how many of those entries are leaked (0 but for the leak scenario)
     */
    static EntrySample at(HostProfile p, long count, long leaked) {
        long n = Math.min(count, SAMPLE_LINES);
        if (n == 0) {
            return new EntrySample(0, 0, false, List.of(), 0, 0, 0, false, List.of(), List.of(), List.of(), Map.of());
        }
        double leakShare = count == 0 ? 0 : Math.min(1, (double) leaked / count);
        double normal = 1 - leakShare;
        EntryMix m = p.mix();
        long established = Math.round(n * (normal * m.established() + leakShare));
        long timeWait = Math.round(n * normal * m.timeWait());
        long synSent = Math.round(n * normal * m.synSent());
        long closeWait = Math.round(n * normal * m.closeWait());
        long finWait = Math.round(n * normal * m.finWait());
        long udp = Math.round(n * normal * m.udp());
        long icmp = Math.round(n * normal * m.icmp());
        long udpUnreplied = Math.round(udp * m.udpUnreplied());
        long leakedSampled = Math.round(n * leakShare);

        List<StateCount> states = new ArrayList<>();
        add(states, "tcp", "ESTABLISHED", established);
        add(states, "tcp", "TIME_WAIT", timeWait);
        add(states, "udp", "", udp);
        add(states, "tcp", "SYN_SENT", synSent);
        add(states, "tcp", "CLOSE_WAIT", closeWait);
        add(states, "tcp", "FIN_WAIT", finWait);
        add(states, "icmp", "", icmp);
        states.sort(Comparator.comparingLong(StateCount::sampled).reversed().thenComparing(StateCount::state));
        long sampleSize = states.stream().mapToLong(StateCount::sampled).sum();
        // TIME_WAIT, CLOSE_WAIT and FIN_WAIT entries were answered, and so were half the answered UDP flows.
        long assured = established + timeWait + closeWait + finWait + (udp - udpUnreplied) / 2;
        Map<String, Long> unrepliedByProtocol = new TreeMap<>();
        putPositive(unrepliedByProtocol, "tcp", synSent);
        putPositive(unrepliedByProtocol, "udp", udpUnreplied);
        putPositive(unrepliedByProtocol, "icmp", icmp / 2);
        long unreplied = unrepliedByProtocol.values().stream().mapToLong(Long::longValue).sum();
        return new EntrySample(sampleSize, 0, false, List.copyOf(states), assured, unreplied, 0, false,
                destinations(p, n, normal, udp, leakedSampled), sources(p, n, normal, leakedSampled), List.of(),
                Map.copyOf(unrepliedByProtocol));
    }

    /** The resolver, a few busy HTTPS services, and the leak's destination when there is one. */
    private static List<Endpoint> destinations(HostProfile p, long n, double normal, long udp, long leaked) {
        int dc = dcOctet(p);
        List<Endpoint> out = new ArrayList<>();
        if (leaked > 0) {
            out.add(new Endpoint("10." + dc + ".20." + (7 + p.leakTarget() % 200), 5432, "tcp", leaked));
        }
        out.add(new Endpoint("10." + dc + ".0.2", 53, "udp", Math.round(udp * 0.6)));
        double[] https = {0.040, 0.030, 0.024, 0.018};
        for (int i = 0; i < https.length; i++) {
            out.add(new Endpoint("203.0.113." + (10 + 17 * i + p.leakTarget() % 7), 443, "tcp",
                    Math.round(n * normal * https[i])));
        }
        out.removeIf(e -> e.sampled() == 0);
        out.sort(Comparator.comparingLong(Endpoint::sampled).reversed());
        return List.copyOf(out.subList(0, Math.min(10, out.size())));
    }

    /** NAT clients: none opens more than a few percent, except the leaking one. */
    private static List<Endpoint> sources(HostProfile p, long n, double normal, long leaked) {
        int dc = dcOctet(p);
        List<Endpoint> out = new ArrayList<>();
        if (leaked > 0) {
            out.add(new Endpoint("10." + dc + ".40." + (11 + p.leakTarget() % 200), 0, "", leaked));
        }
        double[] clients = {0.025, 0.020, 0.015};
        for (int i = 0; i < clients.length; i++) {
            out.add(new Endpoint("10." + dc + "." + (100 + i) + "." + (1 + (p.leakTarget() + 31 * i) % 250), 0, "",
                    Math.round(n * normal * clients[i])));
        }
        out.removeIf(e -> e.sampled() == 0);
        out.sort(Comparator.comparingLong(Endpoint::sampled).reversed());
        return List.copyOf(out);
    }

    private static int dcOctet(HostProfile p) {
        return switch (p.dc()) {
            case "fra1" -> 1;
            case "iad1" -> 2;
            default -> 3;
        };
    }

    private static void add(List<StateCount> states, String protocol, String state, long sampled) {
        if (sampled > 0) {
            states.add(new StateCount("ipv4", protocol, state, sampled));
        }
    }

    private static void putPositive(Map<String, Long> m, String key, long v) {
        if (v > 0) {
            m.put(key, v);
        }
    }
}
