package ctfleet.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
        var e = assertThrows(IllegalArgumentException.class, () -> TokenTable.parse("\n" + hash + " root\n"));
        assertEquals("line 2: role must be agent, reader or admin", e.getMessage());
        assertEquals(Role.ADMIN, TokenTable.parse(hash + " admin ops\n").lookup("x").orElseThrow().role());
    }

    @Test
    void anAgentTokenMayBeBoundToHostIdPatterns() {
        TokenTable t = TokenTable.parse(TokenTable.line("fra1", Role.AGENT, "fra1-agents",
                List.of(NamePattern.parse("fra1-gw-*"), NamePattern.parse("fra1-nat.example.com"))) + "\n"
                + TokenTable.line("any", Role.AGENT, "fleet") + "\n");
        TokenTable.Entry fra1 = t.lookup("fra1").orElseThrow();
        assertEquals("fra1-agents", fra1.name());
        assertTrue(fra1.mayWrite("fra1-gw-0017"));
        assertTrue(fra1.mayWrite("fra1-nat.example.com"));
        assertFalse(fra1.mayWrite("iad1-gw-0001"));
        assertFalse(fra1.mayWrite("fra1-gw-1.evil"), "* stays within one label");
        assertTrue(t.lookup("any").orElseThrow().mayWrite("iad1-gw-0001"), "without hosts= a token binds no host");
        assertEquals(1, t.unboundAgentTokens());
    }

    @Test
    void hostsBindOnlyAgentTokensAndMustBeValidPatterns() {
        String hash = TokenTable.line("x", Role.AGENT, "n").split(" ")[0];
        var reader = assertThrows(IllegalArgumentException.class,
                () -> TokenTable.parse(hash + " reader oncall hosts=gw-*\n"));
        assertEquals("line 1: hosts= binds agent tokens only (this one is reader)", reader.getMessage());
        var everything = assertThrows(IllegalArgumentException.class,
                () -> TokenTable.parse(hash + " agent fleet hosts=*\n"));
        assertTrue(everything.getMessage().startsWith("line 1: hosts=:") && everything.getMessage().contains("any name"),
                everything.getMessage());
        TokenTable unnamed = TokenTable.parse(hash + " agent hosts=gw-1\n");
        assertEquals("line-1", unnamed.lookup("x").orElseThrow().name());
        assertFalse(unnamed.lookup("x").orElseThrow().mayWrite("gw-2"));
    }
}
