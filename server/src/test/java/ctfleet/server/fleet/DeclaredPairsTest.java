package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Pairs an operator declares with the label ha_pair, beside the ones the history finds. */
class DeclaredPairsTest {
    private static final long MAX = 131_072;

    private static HostHistory host(String id, Map<String, String> labels, long count) {
        List<CountPoint> points = Series.counts(48, Duration.ofHours(1), MAX, i -> count);
        return new HostHistory(id, labels, ConntrackModule.LOADED, count, MAX, MAX, Series.NOW, Duration.ofSeconds(10),
                points, List.of());
    }

    private static Map<String, String> pair(String v) {
        return Map.of(DeclaredPairs.LABEL, v, "dc", "fra1");
    }

    @Test
    void twoHostsWithOneValueArePartnersAndAValueOfOneOrThreeIsNot() {
        List<HostHistory> fleet = List.of(host("a", pair("edge-1"), 60_000), host("b", pair("edge-1"), 50_000),
                host("lone", pair("edge-2"), 10_000), host("x", pair("trio"), 1), host("y", pair("trio"), 1),
                host("z", pair("trio"), 1), host("plain", Map.of("dc", "fra1"), 1));
        Map<String, FailoverPairs.Partner> p = DeclaredPairs.with(Map.of(), fleet);
        assertEquals(2, p.size(), p.toString());
        assertEquals(new FailoverPairs.Partner("b", 0, Optional.empty(), Optional.of("edge-1")), p.get("a"));
        assertEquals("a", p.get("b").host());
        // The values that name no pair are told, by value, when a planned host holds them.
        assertEquals(List.of("label ha_pair=edge-2 is on one host only (lone): a pair needs it on both gateways,"
                        + " so lone is planned alone",
                "label ha_pair=trio is on 3 hosts (x, y, z): a pair is exactly two, so each is planned alone (a group"
                        + " sharing one host's load is not planned for)"),
                DeclaredPairs.unpaired(fleet, java.util.Set.of("a", "b", "lone", "x", "y", "z", "plain")));
        // A query for a part of the fleet (a label filter) hears only of its own hosts' labels.
        assertEquals(List.of(), DeclaredPairs.unpaired(fleet, java.util.Set.of("a", "b", "plain")));
        assertEquals(1, DeclaredPairs.unpaired(fleet, java.util.Set.of("y")).size());
    }

    @Test
    void aLargeGroupIsNamedInPart() {
        List<HostHistory> fleet = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fleet.add(host("gw" + i, pair("anycast"), 1));
        }
        List<String> w = DeclaredPairs.unpaired(fleet, java.util.Set.of("gw0"));
        assertEquals(1, w.size());
        assertTrue(w.get(0).startsWith("label ha_pair=anycast is on 8 hosts (gw0, gw1, gw2, gw3, gw4 and 3 more)"),
                w.get(0));
    }

    @Test
    void aDeclarationWinsOverTheHistoryAndKeepsTheFailoversOfTheSamePair() {
        FailoverPairs.Partner seen = new FailoverPairs.Partner("b", 2, Series.NOW.minusSeconds(3600));
        Map<String, FailoverPairs.Partner> found = Map.of("a", seen, "b",
                new FailoverPairs.Partner("a", 2, Series.NOW.minusSeconds(3600)), "c",
                new FailoverPairs.Partner("d", 1, Series.NOW), "d", new FailoverPairs.Partner("c", 1, Series.NOW));
        // a and b declared as found; c declared with e, though the history paired it with d.
        List<HostHistory> fleet = List.of(host("a", pair("p1"), 1), host("b", pair("p1"), 1), host("c", pair("p2"), 1),
                host("d", Map.of(), 1), host("e", pair("p2"), 1));
        Map<String, FailoverPairs.Partner> p = DeclaredPairs.with(found, fleet);
        assertEquals(2, p.get("a").failovers());
        assertEquals(seen.lastFailover(), p.get("a").lastFailover());
        assertEquals(Optional.of("p1"), p.get("a").declared());
        assertEquals("e", p.get("c").host());
        assertEquals("c", p.get("e").host());
        assertFalse(p.containsKey("d"), "d's found partner was declared with another: " + p);
    }

    @Test
    void aDeclaredPairWithoutAFailoverIsPlannedForBothAndSaysWhy() {
        HostHistory a = host("a", pair("edge-1"), 60_000);
        HostHistory b = host("b", pair("edge-1"), 50_000);
        Map<String, PairLoad> loads = PairLoad.of(List.of(a, b), DeclaredPairs.with(Map.of(), List.of(a, b)),
                Series.NOW);
        CapacityPlan plan = new CapacityPlanner(Duration.ofDays(30), 1.5).plan(a,
                new HostFacts(OptionalLong.of(16L << 30), 256, StateSample.NONE, 0, List.of(), Map.of(), List.of()),
                Series.NOW, Optional.of(loads.get("a")));
        assertEquals(CapacityAction.RAISE, plan.action(), plan.note());
        assertEquals(262_144, plan.recommendedMax(), "110,000 x 1.5");
        assertTrue(plan.evidence().stream().anyMatch(e -> e.startsWith("failover partner b (label ha_pair=edge-1): no"
                + " failover in the last 2 days; together they peak at 110,000")), plan.evidence().toString());
    }
}
