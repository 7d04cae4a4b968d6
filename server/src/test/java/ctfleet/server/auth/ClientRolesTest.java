package ctfleet.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.common.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientRolesTest {
    @TempDir
    Path tmp;

    @Test
    void aListedNameGetsItsRoleAndEveryOtherCertificateNone() {
        ClientRoles.Parsed p = ClientRoles.parse("""
                # people and tools that are not gateways
                reader ctfleet-cli
                reader oncall-*     # the on-call rota
                admin  ops-admin
                admin  oncall-lead
                """);
        assertEquals(List.of(), p.errors());
        ClientRoles r = p.roles();
        assertEquals(Optional.of(Role.READER), r.roleOf(List.of("ctfleet-cli")));
        assertEquals(Optional.of(Role.READER), r.roleOf(List.of("oncall-alice")));
        assertEquals(Optional.of(Role.ADMIN), r.roleOf(List.of("ops-admin")));
        assertEquals(Optional.of(Role.ADMIN), r.roleOf(List.of("oncall-lead")), "the highest matching line wins");
        assertEquals(Optional.of(Role.READER), r.roleOf(List.of("gw-a-cn", "ctfleet-cli")), "any name: CN or a DNS SAN");
        assertEquals(Optional.empty(), r.roleOf(List.of("gw-a")));
        assertEquals("2 admin and 2 reader lines", r.summary());
    }

    @Test
    void everyBadLineIsReportedByNumber() {
        ClientRoles.Parsed p = ClientRoles.parse("reader ok\nwriter x\nagent gw-1\nadmin\nadmin *\nreader a b\n");
        assertEquals(1, p.roles().grants().size());
        assertEquals(5, p.errors().size(), p.errors().toString());
        assertTrue(p.errors().get(0).startsWith("line 2: role must be reader or admin, got 'writer'"), p.errors().get(0));
        assertTrue(p.errors().get(1).startsWith("line 3: role must be reader or admin, got 'agent'"), p.errors().get(1));
        assertTrue(p.errors().get(2).startsWith("line 4: expected '<reader|admin> NAME'"), p.errors().get(2));
        assertTrue(p.errors().get(3).startsWith("line 5: ") && p.errors().get(3).contains("any name"), p.errors().get(3));
        assertTrue(p.errors().get(4).startsWith("line 6: expected"), p.errors().get(4));
    }

    @Test
    void aBadLineIsAnErrorAtStartAndIgnoredWithALogLineOnReload() throws Exception {
        Path file = Files.writeString(tmp.resolve("roles"), "reader cli\nadmin root?\n");
        var atStart = assertThrows(IllegalArgumentException.class,
                () -> ServerSecurityOptions.loadRoles(file, true, m -> {}));
        assertTrue(atStart.getMessage().startsWith("line 2: "), atStart.getMessage());
        List<String> log = new ArrayList<>();
        ClientRoles reloaded = ServerSecurityOptions.loadRoles(file, false, log::add);
        assertEquals(Optional.of(Role.READER), reloaded.roleOf(List.of("cli")), "the good lines take effect");
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains(file + " line 2: ") && log.get(0).endsWith(": line ignored"), log.get(0));
    }
}
