package ctfleet.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which scenario each host of a simulated fleet follows. A realistic mix is mostly flat and diurnal
 * hosts, a tenth growing, a few leaking, one spiking, one or two full and dropping, and one or two
 * HA pairs failing over to each other: what an operator's ranking should surface from hundreds of
 * quiet hosts.
 */
public final class FleetMix {
    private FleetMix() {}

    /**
     * The mixed fleet: deterministic from the seed, every kind present from 10 hosts up. The pairs
     * are the first flat hosts, made pairs after the shuffle, so that every other host of a seed
     * is the one it was before fleets had pairs.
     */
    public static List<Scenario> mixed(int hosts, long seed) {
        List<Scenario> plan = new ArrayList<>(hosts);
        add(plan, Scenario.FULL, hosts >= 50 ? 2 : 1, hosts);
        add(plan, Scenario.SPIKE, 1, hosts);
        add(plan, Scenario.GROWTH, Math.max(1, Math.round(hosts * 0.10f)), hosts);
        add(plan, Scenario.LEAK, Math.max(1, Math.round(hosts * 0.03f)), hosts);
        int rest = hosts - plan.size();
        add(plan, Scenario.DIURNAL, (rest + 1) / 2, hosts);
        add(plan, Scenario.FLAT, hosts - plan.size(), hosts);
        Collections.shuffle(plan, new Random(seed));
        int pairHosts = hosts >= 50 ? 4 : hosts >= 10 ? 2 : 0;
        for (int i = 0; i < plan.size() && pairHosts > 0; i++) {
            if (plan.get(i) == Scenario.FLAT) {
                plan.set(i, Scenario.PAIR);
                pairHosts--;
            }
        }
        return plan;
    }

    /**
     * Each host's partner: the pair hosts in index order, first with second, third with fourth; -1
     * for every other host and for an odd one out.
     */
    public static int[] partners(List<Scenario> plan) {
        int[] partner = new int[plan.size()];
        java.util.Arrays.fill(partner, -1);
        int waiting = -1;
        for (int i = 0; i < plan.size(); i++) {
            if (plan.get(i) != Scenario.PAIR) {
                continue;
            }
            if (waiting < 0) {
                waiting = i;
            } else {
                partner[i] = waiting;
                partner[waiting] = i;
                waiting = -1;
            }
        }
        return partner;
    }

    /** Every host on the same scenario. */
    public static List<Scenario> only(Scenario scenario, int hosts) {
        return Collections.nCopies(hosts, scenario);
    }

    private static void add(List<Scenario> plan, Scenario s, int n, int hosts) {
        for (int i = 0; i < n && plan.size() < hosts; i++) {
            plan.add(s);
        }
    }
}
