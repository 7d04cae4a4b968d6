package ctfleet.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenTableTest {
    @Test
    void findsTheRoleAndNameOfAKnownTokenByItsHash() {
        TokenTable t = TokenTable.parse("# comment\n\n" + TokenTable.line("s3cret", Role.AGENT, "fleet") + "\n"
                + "sha256:" + TokenTable.line("r34d", Role.READER, "oncall") + "  # trailing comment\n");
        assertEquals(2, t.size());
        assertEquals(Role.AGENT, t.lookup("s3cret").orElseThrow().role());
        assertEquals("fleet", t.lookup("s3cret").orElseThrow().name());
        assertEquals(Role.READER, t.lookup("r34d").orElseThrow().role());
        assertTrue(t.lookup("s3cre").isEmpty());
        assertTrue(t.lookup("").isEmpty());
    }

    @Test
    void aRawTokenPastedInsteadOfItsHashIsRefusedWithoutEchoingIt() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> TokenTable.parse("correct-horse-battery-staple agent\n"));
        assertTrue(e.getMessage().startsWith("line 1:"), e.getMessage());
        assertFalse(e.getMessage().contains("correct-horse"), e.getMessage());
    }

    @Test
    void unknownRoleNamesTheLine() {
        String hash = TokenTable.line("x", Role.AGENT, "n").split(" ")[0];
        var e = assertThrows(IllegalArgumentException.class, () -> TokenTable.parse("\n" + hash + " admin\n"));
        assertEquals("line 2: role must be agent or reader", e.getMessage());
    }
}
