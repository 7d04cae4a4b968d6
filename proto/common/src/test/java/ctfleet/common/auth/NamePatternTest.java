package ctfleet.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamePatternTest {
    @Test
    void aLiteralMatchesOnlyItself() {
        NamePattern p = NamePattern.parse("ctfleet-cli");
        assertTrue(p.matches("ctfleet-cli"));
        assertFalse(p.matches("ctfleet-cli2"));
        assertFalse(p.matches("CTFLEET-CLI"), "case matters, as in host ids");
        assertFalse(NamePattern.parse("a.b").matches("axb"), "a dot is a dot, not any character");
    }

    @Test
    void aStarStaysWithinOneLabel() {
        NamePattern p = NamePattern.parse("*.ops.example.com");
        assertTrue(p.matches("alice.ops.example.com"));
        assertFalse(p.matches("a.b.ops.example.com"));
        assertFalse(p.matches("ops.example.com"));
        NamePattern prefix = NamePattern.parse("oncall-*");
        assertTrue(prefix.matches("oncall-"));
        assertTrue(prefix.matches("oncall-alice"));
        assertFalse(prefix.matches("oncall-alice.example.com"));
        assertTrue(NamePattern.parse("gw-*-nat").matches("gw-fra1-nat"));
    }

    @Test
    void patternsThatMatchEverythingOrAreMalformedAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamePattern.parse("*")).getMessage()
                .contains("any name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamePattern.parse("*.*")).getMessage()
                .contains("any name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamePattern.parse("gw..a")).getMessage()
                .contains("empty label"));
        var spaces = assertThrows(IllegalArgumentException.class, () -> NamePattern.parse("a b"));
        assertEquals("'a b' is not a name pattern: use 1 to 253 of A-Z a-z 0-9 . _ - @ and * (any run of"
                + " characters within one label)", spaces.getMessage());
        assertFalse(assertThrows(IllegalArgumentException.class, () -> NamePattern.parse("x".repeat(300) + "("))
                .getMessage().contains("x".repeat(41)), "hostile text is never echoed in full");
    }
}
