package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The values unreported counters are stored with: neighbours' reports, never zeros that read as a wrap. */
class SampleCounterCarryTest {
    static CounterCarry.Row known(long ts, int boot, long drop) {
        return new CounterCarry.Row(ts, boot, new long[] {drop, 1, 2, 3}, 0);
    }

    static CounterCarry.Row none(long ts, int boot) {
        return new CounterCarry.Row(ts, boot, new long[4], CounterCarry.ALL);
    }

    static long[] drops(List<CounterCarry.Row> rows) {
        return rows.stream().mapToLong(r -> r.values()[0]).toArray();
    }

    @Test
    void aSampleWithoutCountersCarriesTheEarlierReport() {
        List<CounterCarry.Row> rows = new ArrayList<>(List.of(known(1, 7, 0x40), none(2, 7), known(3, 7, 0x42)));
        boolean[] changed = CounterCarry.resolve(rows, false);
        assertArrayEquals(new long[] {0x40, 0x40, 0x42}, drops(rows));
        assertArrayEquals(new long[] {0x40, 1, 2, 3}, rows.get(1).values(), "every unreported counter");
        assertArrayEquals(new boolean[] {false, true, false}, changed);
    }

    @Test
    void withoutAnEarlierReportInItsBootItTakesTheNextOne() {
        List<CounterCarry.Row> first = new ArrayList<>(List.of(none(1, 7), none(2, 7), known(3, 7, 500)));
        CounterCarry.resolve(first, false);
        assertArrayEquals(new long[] {500, 500, 500}, drops(first), "a host's first samples add no increase");
        List<CounterCarry.Row> reboot = new ArrayList<>(List.of(known(1, 7, 900), none(2, 8), known(3, 8, 20)));
        CounterCarry.resolve(reboot, false);
        assertArrayEquals(new long[] {900, 20, 20}, drops(reboot), "nothing carries over a reboot");
    }

    @Test
    void noReportInTheBootAtAllIsZero() {
        List<CounterCarry.Row> rows = new ArrayList<>(List.of(known(1, 7, 900), none(2, 8), none(3, 8)));
        CounterCarry.resolve(rows, false);
        assertArrayEquals(new long[] {900, 0, 0}, drops(rows));
    }

    @Test
    void aLateReportChangesTheCarriedRowsAfterIt() {
        CounterCarry.Row carried = new CounterCarry.Row(3, 7, new long[] {0x40, 1, 2, 3}, CounterCarry.ALL);
        List<CounterCarry.Row> rows = new ArrayList<>(List.of(known(1, 7, 0x40), known(2, 7, 0x41), carried,
                known(4, 7, 0x42)));
        CounterCarry.resolve(rows, false);
        assertArrayEquals(new long[] {0x40, 0x41, 0x41, 0x42}, drops(rows), "no fall from 0x41 to 0x40");
    }

    @Test
    void eachCounterCarriesOnItsOwn() {
        CounterCarry.Row noDrop = new CounterCarry.Row(2, 7, new long[] {0, 5, 6, 7}, 1);
        List<CounterCarry.Row> rows = new ArrayList<>(List.of(known(1, 7, 10), noDrop));
        CounterCarry.resolve(rows, false);
        assertArrayEquals(new long[] {10, 5, 6, 7}, noDrop.values());
    }

    @Test
    void anOpenStartKeepsWhatCameFromBeforeTheRows() {
        CounterCarry.Row head = new CounterCarry.Row(1, 7, new long[] {33, 1, 2, 3}, 1);
        List<CounterCarry.Row> rows = new ArrayList<>(List.of(head, known(2, 7, 40), none(3, 7)));
        CounterCarry.resolve(rows, true);
        assertEquals(33, head.values()[0], "its drop came from a report before these rows");
        assertEquals(40, rows.get(2).values()[0]);
    }

    @Test
    void missingNamesTheUnreportedCounters() {
        SampleRow r = new SampleRow(1, true, 1, 10, 1, 1, 0, "b", java.util.Map.of("drop", 1L, "invalid", 2L),
                new java.util.TreeMap<>(), 1, true, java.util.Optional.empty());
        assertEquals(0b0110, CounterCarry.missing(r));
    }
}
