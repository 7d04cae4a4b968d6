package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterTotalsTest {
    private static final Instant T = Instant.parse("2026-03-02T12:00:00Z");

    private static CounterPoint at(int seconds, String boot, long drop) {
        return new CounterPoint(T.plusSeconds(seconds), boot, Map.of("drop", drop));
    }

    @Test
    void sumsIncreasesAcrossTheSeries() {
        CounterTotals t = CounterTotals.of(List.of(at(0, "b", 100), at(10, "b", 130), at(20, "b", 150)));
        assertEquals(50, t.increase("drop"));
        assertEquals(2.5, t.perSecond("drop"), 1e-9);
    }

    @Test
    void counterWrapIsNotAReset() {
        // Same boot: 0xfffffff0 -> 0x10 is 32 more drops, not a restart at 16 nor a jump of -4 billion.
        CounterTotals t = CounterTotals.of(List.of(at(0, "b", 0xfffffff0L), at(10, "b", 0x10)));
        assertEquals(32, t.increase("drop"));
    }

    @Test
    void newBootIdCountsFromZero() {
        CounterTotals t = CounterTotals.of(List.of(at(0, "b1", 900_000), at(10, "b2", 40), at(20, "b2", 45)));
        assertEquals(45, t.increase("drop"));
    }

    @Test
    void columnMissingOnOneSideContributesNothingForThatPair() {
        CounterPoint old = new CounterPoint(T, "b", Map.of("drop", 1L));
        CounterPoint mid = new CounterPoint(T.plusSeconds(10), "b", Map.of("drop", 3L, "clashres", 9L));
        CounterPoint now = new CounterPoint(T.plusSeconds(20), "b", Map.of("drop", 4L, "clashres", 12L));
        CounterTotals t = CounterTotals.of(List.of(old, mid, now));
        assertEquals(3, t.increase("drop"));
        assertEquals(3, t.increase("clashres"));
        assertEquals(0, t.increase("early_drop"));
    }

    @Test
    void singlePointHasNoRate() {
        CounterTotals t = CounterTotals.of(List.of(at(0, "b", 100)));
        assertEquals(0, t.perSecond("drop"));
    }
}
