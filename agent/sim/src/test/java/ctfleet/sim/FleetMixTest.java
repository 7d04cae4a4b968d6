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
        assertTrue(n.get(Scenario.FLAT) + n.get(Scenario.DIURNAL) > 800, n.toString());
        assertEquals(1000, n.values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void everyKindIsPresentFromSixHosts() {
        assertEquals(Scenario.values().length, tally(FleetMix.mixed(6, 3)).size());
    }

    @Test
    void theSeedDecidesWhichHostGetsWhichShape() {
        assertEquals(FleetMix.mixed(50, 7), FleetMix.mixed(50, 7));
        assertNotEquals(FleetMix.mixed(50, 7), FleetMix.mixed(50, 8));
    }
}
