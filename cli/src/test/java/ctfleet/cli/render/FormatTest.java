package ctfleet.cli.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void etaSaysFullOnlyForAFullTable() {
        assertEquals("full", Format.eta(true, 0, 262_144, 262_144));
        assertEquals(", full", Format.etaClause(true, 0, 262_144, 262_144));
    }

    @Test
    void aZeroEtaBelowMaxIsAnyTimeNotFullInZeroSeconds() {
        // 75 % full, but the window's swings above the trend reach max from here.
        assertEquals("any time", Format.eta(true, 0, 196_608, 262_144));
        assertEquals(", could fill any time", Format.etaClause(true, 0, 196_608, 262_144));
    }

    @Test
    void aGrowingHostShowsItsTimeToFull() {
        assertEquals("3.7h", Format.eta(true, 3.7 * 3600, 100_000, 262_144));
        assertEquals(", full in 45m", Format.etaClause(true, 45 * 60, 100_000, 262_144));
    }

    @Test
    void aHostThatIsNotGrowingHasNoEta() {
        assertEquals("-", Format.eta(false, 0, 100_000, 262_144));
        assertEquals("", Format.etaClause(false, 0, 100_000, 262_144));
    }
}
