package ctfleet.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which scenario each host of a simulated fleet follows. A realistic mix is mostly flat and diurnal
 * hosts, a tenth growing, a few leaking, one spiking and one or two full and dropping: what an
 * operator's ranking should surface from hundreds of quiet hosts.
 */
public final class FleetMix {
    private FleetMix() {}

    /** The mixed fleet: deterministic from the seed, every kind present from 6 hosts up. */
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
        return plan;
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
