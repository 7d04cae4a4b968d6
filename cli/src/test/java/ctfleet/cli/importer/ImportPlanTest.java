package ctfleet.cli.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ImportPlanTest {
    static final long MIN = 60_000;
    static final long DAY = 86_400_000;

    static SortedMap<String, Integer> hosts(int n, int seriesEach) {
        SortedMap<String, Integer> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            m.put(String.format("gw-%04d:9100", i), seriesEach);
        }
        return m;
    }

    @Test
    void stepsLandOnMultiplesOfTheStepSoRepeatedImportsAskForTheSameInstants() {
        ImportPlan a = ImportPlan.of(1_000_001, 9_000_000, MIN, hosts(1, 11), 1_000_000);
        ImportPlan b = ImportPlan.of(1_020_000, 9_059_999, MIN, hosts(1, 11), 1_000_000);
        assertEquals(1_020_000, a.startMillis());
        assertEquals(a.startMillis(), b.startMillis());
        assertEquals(a.endMillis(), b.endMillis());
        assertEquals(0, a.endMillis() % MIN);
    }

    @Test
    void thirtyDaysOfFiveHundredHostsStayWithinPrometheusLimitsAndCoverEveryStepOnce() {
        long start = 1_700_000_000_000L - 30 * DAY;
        long end = 1_700_000_000_000L;
        ImportPlan plan = ImportPlan.of(start, end, MIN, hosts(500, 11), 1_000_000);
        assertEquals(500, plan.hosts());
        long steps = (plan.endMillis() - plan.startMillis()) / MIN + 1;
        for (ImportPlan.Group g : plan.groups()) {
            long covered = 0;
            for (ImportPlan.Query q : plan.queries()) {
                if (q.group() != g) {
                    continue;
                }
                long qSteps = (q.endMillis() - q.startMillis()) / MIN + 1;
                assertTrue(qSteps <= ImportPlan.MAX_STEPS, "at most 10,000 steps, under Prometheus' 11,000");
                assertTrue(qSteps * g.hostValues().size() * 11 <= 1_000_000, "within the point budget");
                covered += qSteps;
            }
            assertEquals(steps, covered, "every step of every group exactly once");
        }
        // Few, large queries: a 30-day import of 500 hosts must not turn into tens of thousands of calls.
        assertTrue(plan.queries().size() < 400, plan.queries().size() + " queries");
    }

    @Test
    void aShortRangeIsOneQueryForASmallFleet() {
        ImportPlan plan = ImportPlan.of(0, 3 * DAY, MIN, hosts(3, 11), 1_000_000);
        assertEquals(1, plan.queries().size());
        assertEquals(List.of("gw-0000:9100", "gw-0001:9100", "gw-0002:9100"),
                plan.queries().get(0).group().hostValues());
        assertTrue(plan.queries().get(0).lastOfGroup());
    }

    @Test
    void aTinyBudgetStillPlansAtLeastOneStepOfOneHostPerQuery() {
        ImportPlan plan = ImportPlan.of(0, 10 * MIN, MIN, hosts(2, 11), 5);
        assertEquals(2, plan.groups().size());
        assertEquals(22, plan.queries().size());
    }
}
