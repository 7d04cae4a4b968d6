package ctfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetMixTest {
    static Map<Scenario, Integer> tally(List<Scenario> plan) {
        Map<Scenario, Integer> n = new EnumMap<>(Scenario.class);
        plan.forEach(s -> n.merge(s, 1, Integer::sum));
        return n;
    }

    @Test
    void aThousandHostsAreMostlyQuietWithAFewInTrouble() {
        Map<Scenario, Integer> n = tally(FleetMix.mixed(1000, 1));
        assertEquals(2, n.get(Scenario.FULL));
        assertEquals(1, n.get(Scenario.SPIKE));
        assertEquals(100, n.get(Scenario.GROWTH));
        assertEquals(30, n.get(Scenario.LEAK));
        assertEquals(4, n.get(Scenario.PAIR), "two HA pairs");
        assertTrue(n.get(Scenario.FLAT) + n.get(Scenario.DIURNAL) > 800, n.toString());
        assertEquals(1000, n.values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void everyKindIsPresentFromTenHosts() {
        assertEquals(Scenario.values().length, tally(FleetMix.mixed(10, 3)).size());
        // Below, the few flat hosts stay flat: every kind but the pair from six.
        assertEquals(Scenario.values().length - 1, tally(FleetMix.mixed(6, 3)).size());
        assertEquals(0, tally(FleetMix.mixed(9, 3)).getOrDefault(Scenario.PAIR, 0));
    }

    @Test
    void pairsAreMadeOfFlatHostsSoEveryOtherHostOfASeedStaysAsItWas() {
        List<Scenario> plan = FleetMix.mixed(200, 1);
        int[] partner = FleetMix.partners(plan);
        int pairs = 0;
        for (int i = 0; i < plan.size(); i++) {
            if (plan.get(i) == Scenario.PAIR) {
                assertEquals(i, partner[partner[i]], "partners of each other");
                assertEquals(Scenario.PAIR, plan.get(partner[i]));
                pairs++;
            } else {
                assertEquals(-1, partner[i]);
            }
        }
        assertEquals(4, pairs);
        // The plan before pairs: the same shuffle with flat hosts where the pairs are.
        List<Scenario> flat = plan.stream().map(s -> s == Scenario.PAIR ? Scenario.FLAT : s).toList();
        assertEquals(0, tally(flat).getOrDefault(Scenario.PAIR, 0));
        assertEquals(tally(plan).get(Scenario.FLAT) + 4, tally(flat).get(Scenario.FLAT));
        assertEquals(List.of(1, 0, 3, 2, -1), java.util.Arrays.stream(FleetMix.partners(FleetMix.only(Scenario.PAIR, 5)))
                .boxed().toList(), "in index order; the odd one out has none");
    }

    @Test
    void theSeedDecidesWhichHostGetsWhichShape() {
        assertEquals(FleetMix.mixed(50, 7), FleetMix.mixed(50, 7));
        assertNotEquals(FleetMix.mixed(50, 7), FleetMix.mixed(50, 8));
    }
}
