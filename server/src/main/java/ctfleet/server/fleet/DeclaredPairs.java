package ctfleet.server.fleet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * HA pairs an operator declares: two hosts whose agents carry the same value of the label
 * {@value #LABEL} ({@code ctfleet agent --label ha_pair=fra1-edge}). The history finds a pair only
 * from a failover, and back, in the last two days ({@link FailoverPairs}); a pair that fails over
 * at a quarterly DR drill, or never yet, is known to whoever built it. A capacity plan sizes a
 * declared pair like a found one.
 *
 * <p>A value held by one host, or by three or more, names no pair: a group sharing one host's load
 * is not planned as a pair (README says so), and a typo is not a partner. A capacity plan says so
 * ({@link #unpaired}), so neither goes unnoticed.
 */
public final class DeclaredPairs {
    public static final String LABEL = "ha_pair";
    /** Hosts named in a warning before "and N more". */
    private static final int MAX_NAMED = 5;

    private DeclaredPairs() {}

    /**
     * One sentence per {@value #LABEL} value that names no pair and is held by one of {@code chosen}
     * (the hosts a capacity query plans), by value: a typo on one of two gateways, or a group of
     * three or more, would otherwise just not be planned as a pair, and no one would know.
     */
    public static List<String> unpaired(List<HostHistory> fleet, Set<String> chosen) {
        List<String> out = new ArrayList<>();
        byValue(fleet).forEach((value, hosts) -> {
            if (hosts.size() == 2 || hosts.stream().noneMatch(chosen::contains)) {
                return;
            }
            String who = hosts.size() <= MAX_NAMED ? String.join(", ", hosts)
                    : String.join(", ", hosts.subList(0, MAX_NAMED)) + " and " + (hosts.size() - MAX_NAMED) + " more";
            out.add(hosts.size() == 1
                    ? "label " + LABEL + "=" + value + " is on one host only (" + who + "): a pair needs it on both"
                            + " gateways, so " + who + " is planned alone"
                    : "label " + LABEL + "=" + value + " is on " + hosts.size() + " hosts (" + who + "): a pair is"
                            + " exactly two, so each is planned alone (a group sharing one host's load is not planned"
                            + " for)");
        });
        return out;
    }

    /** Each non-empty value of the label, with its hosts in fleet order. */
    private static Map<String, List<String>> byValue(List<HostHistory> fleet) {
        Map<String, List<String>> byValue = new TreeMap<>();
        for (HostHistory h : fleet) {
            String v = h.labels().get(LABEL);
            if (v != null && !v.isEmpty()) {
                byValue.computeIfAbsent(v, k -> new ArrayList<>()).add(h.host());
            }
        }
        return byValue;
    }

    /**
     * The partners found in the history, with the declared ones added. A declaration wins over
     * what the history suggests (the operator built the pair): a host declared with B is not also
     * planned for a C the history paired it with, nor C for it. A found pair that is also declared
     * keeps its failovers.
     */
    public static Map<String, FailoverPairs.Partner> with(Map<String, FailoverPairs.Partner> found,
            List<HostHistory> fleet) {
        Map<String, List<String>> byValue = byValue(fleet);
        Map<String, FailoverPairs.Partner> out = new HashMap<>(found);
        for (Map.Entry<String, List<String>> e : byValue.entrySet()) {
            if (e.getValue().size() != 2) {
                continue;
            }
            String a = e.getValue().get(0);
            String b = e.getValue().get(1);
            for (String[] ab : new String[][] {{a, b}, {b, a}}) {
                FailoverPairs.Partner had = out.get(ab[0]);
                boolean same = had != null && had.host().equals(ab[1]);
                if (had != null && !same) {
                    FailoverPairs.Partner back = out.get(had.host());
                    if (back != null && back.host().equals(ab[0])) {
                        out.remove(had.host()); // the history's partner of ab[0] is no longer paired with it
                    }
                }
                out.put(ab[0], new FailoverPairs.Partner(ab[1], same ? had.failovers() : 0,
                        same ? had.lastFailover() : Optional.empty(), Optional.of(e.getKey())));
            }
        }
        return out;
    }
}
