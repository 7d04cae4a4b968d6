package ctfleet.cli.security;

import ctfleet.cli.certs.OpensslCa;
import ctfleet.cli.certs.OpensslCa.Issued;
import ctfleet.cli.certs.OpensslCa.Use;
import java.nio.file.Path;
import java.util.List;

/** Certificates made at test time with the same code as {@code ctfleet gen-certs}: nothing is committed. */
record TestPki(Path ca, Issued server, Issued cli, Issued gwA, Issued gwB, Issued expired,
        Path rogueCa, Issued rogueServer, Issued rogueGwA, Issued unlisted, Issued oncall, Issued opsAdmin) {

    static TestPki create(Path dir) throws Exception {
        OpensslCa ca = OpensslCa.create(dir.resolve("ca"), "ctfleet test CA", 30);
        Issued server = ca.issue("server", "localhost", List.of("localhost", "127.0.0.1"), Use.SERVER, 30);
        Issued cli = ca.issue("cli", "ctfleet-cli", List.of(), Use.CLIENT, 30);
        Issued gwA = ca.issue("gw-a", "gw-a", List.of("gw-a"), Use.CLIENT, 30);
        Issued gwB = ca.issue("gw-b", "gw-b-cn", List.of("gw-b"), Use.CLIENT, 30);
        Issued expired = ca.issue("gw-old", "gw-old", List.of("gw-old"), Use.CLIENT, -1);
        // People: one no role file lists, one a reader by pattern (oncall-*), one an admin.
        Issued unlisted = ca.issue("laptop-bob", "laptop-bob", List.of(), Use.CLIENT, 30);
        Issued oncall = ca.issue("oncall-alice", "oncall-alice", List.of(), Use.CLIENT, 30);
        Issued opsAdmin = ca.issue("ops-admin", "ops-admin", List.of(), Use.CLIENT, 30);
        // Same names, another CA: what an attacker (or a misconfigured host) would present.
        OpensslCa rogue = OpensslCa.create(dir.resolve("rogue"), "rogue CA", 30);
        Issued rogueServer = rogue.issue("server", "localhost", List.of("localhost", "127.0.0.1"), Use.SERVER, 30);
        Issued rogueGwA = rogue.issue("gw-a", "gw-a", List.of("gw-a"), Use.CLIENT, 30);
        return new TestPki(ca.cert(), server, cli, gwA, gwB, expired, rogue.cert(), rogueServer, rogueGwA, unlisted,
                oncall, opsAdmin);
    }
}
