package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SampleKeyTest {
    static final long NOW = 1_764_000_000_000L;

    @Test
    void sortsByHostThenTime() {
        assertTrue(SampleKey.of(1, NOW) < SampleKey.of(1, NOW + 1));
        assertTrue(SampleKey.of(1, SampleKey.TS_RANGE - 1) < SampleKey.of(2, 0));
        assertEquals(7 * SampleKey.TS_RANGE + NOW, SampleKey.of(7, NOW), "the migration's host_ref * 2^42 + ts");
    }

    @Test
    void rangeBoundsNeverSpillIntoANeighbour() {
        assertEquals(SampleKey.of(3, 0), SampleKey.bound(3, -5));
        assertEquals(SampleKey.bound(4, 0), SampleKey.bound(3, Long.MAX_VALUE));
        assertTrue(SampleKey.bound(3, NOW) < SampleKey.bound(4, 0));
    }

    @Test
    void refusesWhatDoesNotFit() {
        assertThrows(IllegalArgumentException.class, () -> SampleKey.of(1, -1));
        assertThrows(IllegalArgumentException.class, () -> SampleKey.of(1, SampleKey.TS_RANGE));
        assertThrows(IllegalArgumentException.class, () -> SampleKey.of(SampleKey.MAX_HOST_REF, NOW));
    }
}
