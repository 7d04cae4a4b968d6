package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IntervalRatesTest {
    @Test
    void ratesEveryCounterInBothSamplesPerSecond() {
        Map<String, Double> r = IntervalRates.between(Map.of("insert", 1_000L, "found", 50L), 10_000, BootChange.SAME,
                Map.of("insert", 3_000L, "found", 50L, "chaintoolong", 7L), 20_000);
        assertEquals(Map.of("insert", 200.0, "found", 0.0), r, "chaintoolong has no earlier value");
    }

    @Test
    void aWrappedCounterCountsTheIncreaseModulo2To32() {
        long before = (1L << 32) - 100;
        Map<String, Double> r = IntervalRates.between(Map.of("search_restart", before), 0 + 1, BootChange.SAME,
                Map.of("search_restart", 900L), 1 + 10_000);
        assertEquals(100.0, r.get("search_restart"), 1e-9);
    }

    @Test
    void aRebootCountsTheNewValueAsTheIncrease() {
        Map<String, Double> r = IntervalRates.between(Map.of("insert", 5_000_000L), 1_000, BootChange.REBOOT,
                Map.of("insert", 2_000L), 11_000);
        assertEquals(200.0, r.get("insert"), 1e-9);
    }

    @Test
    void noEarlierSampleOrOutOfOrderGivesNoRates() {
        assertTrue(IntervalRates.between(Map.of(), 0, BootChange.REBOOT, Map.of("insert", 5L), 10_000).isEmpty());
        assertTrue(IntervalRates.between(Map.of("insert", 1L), 20_000, BootChange.SAME, Map.of("insert", 5L), 10_000).isEmpty());
    }
}
