package ctfleet.cli.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.AgentMain;
import ctfleet.cli.Cli;
import ctfleet.common.auth.Role;
import ctfleet.common.auth.TokenTable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance list, end to end over real TLS on a loopback port: every wrong credential
 * is refused with the right status and a message that says why; the right ones work.
 */
class SecurityEndToEndTest {
    static final Path PROC = Path.of("src/test/resources/proc/gw-half");

    @TempDir
    static Path shared;

    static TestPki pki;
    static Path agentToken;
    static Path readerToken;
    static Path tokens;
    static Path clientRoles;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeCredentials() throws Exception {
        pki = TestPki.create(shared.resolve("pki"));
        agentToken = Files.writeString(shared.resolve("agent.token"), "agent-secret-1\n");
        readerToken = Files.writeString(shared.resolve("reader.token"), "reader-secret-2\n");
        tokens = Files.writeString(shared.resolve("tokens"), "# hashes only\n"
                + TokenTable.line("agent-secret-1", Role.AGENT, "fleet-agents") + "\n"
                + TokenTable.line("reader-secret-2", Role.READER, "oncall") + "\n");
        clientRoles = Files.writeString(shared.resolve("client-roles"), "reader ctfleet-cli\n");
    }

    SecureServer mtls() throws Exception {
        return new SecureServer(tmp.resolve("db"), "--tls-cert", pki.server().cert().toString(),
                "--tls-key", pki.server().key().toString(), "--tls-client-ca", pki.ca().toString(),
                "--client-roles", clientRoles.toString());
    }

    SecureServer tlsWithTokens() throws Exception {
        return new SecureServer(tmp.resolve("db"), "--tls-cert", pki.server().cert().toString(),
                "--tls-key", pki.server().key().toString(), "--tokens", tokens.toString());
    }

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Result agent(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = AgentMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> a = new ArrayList<>(List.of("--proc-root", PROC.toString(), "--once", "--ack-timeout", "3s"));
        a.addAll(List.of(args));
        return new Result(cl.execute(a.toArray(String[]::new)), out.toString(), err.toString());
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Cli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    static String[] mtlsFlags(OpensslCaIssued id) {
        return new String[] {"--tls-ca", pki.ca().toString(), "--tls-cert", id.cert().toString(),
            "--tls-key", id.key().toString()};
    }

    record OpensslCaIssued(Path cert, Path key) {}

    static OpensslCaIssued of(ctfleet.cli.certs.OpensslCa.Issued i) {
        return new OpensslCaIssued(i.cert(), i.key());
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    @Test
    void mutualTlsWithTheRightCertificatesIngestsAndQueries() throws Exception {
        try (SecureServer s = mtls()) {
            Result a = agent(concat(mtlsFlags(of(pki.gwA())), "--server", s.addr(), "--host-id", "gw-a"));
            assertEquals(0, a.code(), a.all());
            Result b = agent(concat(mtlsFlags(of(pki.gwB())), "--server", s.addr(), "--host-id", "gw-b"));
            assertEquals(0, b.code(), "a DNS SAN names the host as well as the CN: " + b.all());
            Result top = cli(concat(new String[] {"top"}, concat(mtlsFlags(of(pki.cli())), "--server", s.addr(), "--format", "csv")));
            assertEquals(0, top.code(), top.all());
            assertTrue(top.out().contains("\ngw-a,") || top.out().contains(",gw-a,"), top.out());
            assertTrue(top.out().contains(",gw-b,"), top.out());
        }
    }

    @Test
    void agentMayNotWriteAnotherHostsSamples() throws Exception {
        try (SecureServer s = mtls()) {
            Result r = agent(concat(mtlsFlags(of(pki.gwA())), "--server", s.addr(), "--host-id", "gw-b"));
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("PERMISSION_DENIED") && r.err().contains("'gw-b'") && r.err().contains("'gw-a'"),
                    r.err());
            Result top = cli(concat(new String[] {"top"}, concat(mtlsFlags(of(pki.cli())), "--server", s.addr(), "--format", "csv")));
            assertEquals(0, top.code(), top.all());
            assertFalse(top.out().contains("gw-b"), "nothing of the refused hello was written: " + top.out());
        }
    }

    @Test
    void aGatewaysCertificateMayNotQueryTheFleet() throws Exception {
        try (SecureServer s = mtls()) {
            assertEquals(0, agent(concat(mtlsFlags(of(pki.gwB())), "--server", s.addr(), "--host-id", "gw-b")).code());
            Result top = cli(concat(new String[] {"top"}, concat(mtlsFlags(of(pki.gwA())), "--server", s.addr())));
            assertEquals(1, top.code(), top.all());
            assertTrue(top.err().contains("PERMISSION_DENIED: certificate 'gw-a' has role agent, which may not call"
                    + " ctfleet.v1.Query/Top (needs role reader or admin; the server's --client-roles file gives a"
                    + " certificate a role)"), top.err());
            assertFalse(top.all().contains("gw-b"), "nothing of the fleet is shown: " + top.all());
        }
    }

    @Test
    void genCertsMakesATrialWhereEachCertificateHasItsRole() throws Exception {
        Path pkiDir = tmp.resolve("trial");
        Result made = cli("gen-certs", pkiDir.toString(), "--hosts", "gw-1", "--days", "2");
        assertEquals(0, made.code(), made.all());
        String d = pkiDir.toString();
        assertTrue(made.out().contains("--client-roles " + d + "/client-roles"), made.out());
        try (SecureServer s = new SecureServer(tmp.resolve("db"), "--tls-cert", d + "/server.pem", "--tls-key",
                d + "/server.key", "--tls-client-ca", d + "/ca.pem", "--client-roles", d + "/client-roles")) {
            String[] ca = {"--server", s.addr(), "--tls-ca", d + "/ca.pem"};
            Result gw = agent(concat(ca, "--host-id", "gw-1", "--tls-cert", d + "/gw-1.pem", "--tls-key", d + "/gw-1.key"));
            assertEquals(0, gw.code(), gw.all());
            Result gwReads = cli(concat(concat(new String[] {"top"}, ca), "--tls-cert", d + "/gw-1.pem", "--tls-key",
                    d + "/gw-1.key"));
            assertEquals(1, gwReads.code(), gwReads.all());
            Result reader = cli(concat(concat(new String[] {"top"}, ca), "--tls-cert", d + "/cli.pem", "--tls-key",
                    d + "/cli.key", "--format", "csv"));
            assertEquals(0, reader.code(), reader.all());
            assertTrue(reader.out().contains(",gw-1,"), reader.out());
            Path zip = tmp.resolve("trial.zip");
            Result readerBacksUp = cli(concat(concat(new String[] {"admin", "backup"}, ca), "--tls-cert",
                    d + "/cli.pem", "--tls-key", d + "/cli.key", zip.toString()));
            assertEquals(1, readerBacksUp.code(), readerBacksUp.all());
            assertTrue(readerBacksUp.err().contains("certificate 'ctfleet-cli' has role reader")
                    && readerBacksUp.err().contains("(needs role admin"), readerBacksUp.err());
            assertFalse(Files.exists(zip));
            Result admin = cli(concat(concat(new String[] {"admin", "backup"}, ca), "--tls-cert", d + "/admin.pem",
                    "--tls-key", d + "/admin.key", zip.toString()));
            assertEquals(0, admin.code(), admin.all());
            assertTrue(Files.size(zip) > 0);
        }
    }

    @Test
    void serverCertificateFromAnotherCaIsRefusedByTheAgent() throws Exception {
        try (SecureServer s = mtls()) {
            Result r = agent("--server", s.addr(), "--host-id", "gw-a", "--tls-ca", pki.rogueCa().toString(),
                    "--tls-cert", pki.gwA().cert().toString(), "--tls-key", pki.gwA().key().toString());
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("UNAVAILABLE") && r.err().toLowerCase().contains("certificate"), r.err());
            assertFalse(r.all().contains("\tat "), r.all());
        }
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() throws Exception {
        try (SecureServer s = mtls()) {
            Result r = agent("--server", s.addr(), "--host-id", "gw-a", "--tls-ca", pki.ca().toString(),
                    "--tls-cert", pki.rogueGwA().cert().toString(), "--tls-key", pki.rogueGwA().key().toString());
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("UNAVAILABLE") && r.err().contains("TLS failed"), r.err());
            assertTrue(s.log.stream().anyMatch(l -> l.contains("CN=gw-a refused") && l.contains("PKIX")), s.log.toString());
        }
    }

    @Test
    void expiredClientCertificateIsRefused() throws Exception {
        try (SecureServer s = mtls()) {
            Result r = agent(concat(mtlsFlags(of(pki.expired())), "--server", s.addr(), "--host-id", "gw-old"));
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("UNAVAILABLE") && r.err().toLowerCase().contains("expired"), r.err());
            assertTrue(s.log.stream().anyMatch(l -> l.contains("gw-old") && l.contains("refused")), s.log.toString());
        }
    }

    @Test
    void missingClientCertificateIsRefused() throws Exception {
        try (SecureServer s = mtls()) {
            Result r = agent("--server", s.addr(), "--host-id", "gw-a", "--tls-ca", pki.ca().toString());
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("UNAVAILABLE") && r.err().contains("TLS failed")
                    && r.err().toLowerCase().contains("certificate"), r.err());
        }
    }

    @Test
    void tokensGiveAgentsIngestAndReadersQueryOnly() throws Exception {
        try (SecureServer s = tlsWithTokens()) {
            String ca = pki.ca().toString();
            Result ok = agent("--server", s.addr(), "--host-id", "gw-t", "--tls-ca", ca, "--token-file", agentToken.toString());
            assertEquals(0, ok.code(), ok.all());

            Result readerIngests = agent("--server", s.addr(), "--host-id", "gw-r", "--tls-ca", ca,
                    "--token-file", readerToken.toString());
            assertEquals(1, readerIngests.code(), readerIngests.all());
            assertTrue(readerIngests.err().contains("PERMISSION_DENIED") && readerIngests.err().contains("role reader")
                    && readerIngests.err().contains("needs role agent"), readerIngests.err());

            Result agentQueries = cli("top", "--server", s.addr(), "--tls-ca", ca, "--token-file", agentToken.toString());
            assertEquals(1, agentQueries.code(), agentQueries.all());
            assertTrue(agentQueries.err().contains("PERMISSION_DENIED") && agentQueries.err().contains("role agent")
                    && agentQueries.err().contains("needs role reader"), agentQueries.err());

            Result noToken = cli("top", "--server", s.addr(), "--tls-ca", ca);
            assertEquals(1, noToken.code(), noToken.all());
            assertTrue(noToken.err().contains("UNAUTHENTICATED") && noToken.err().contains("--token-file"), noToken.err());

            Path forged = Files.writeString(tmp.resolve("forged"), "guess\n");
            Result wrong = cli("top", "--server", s.addr(), "--tls-ca", ca, "--token-file", forged.toString());
            assertEquals(1, wrong.code(), wrong.all());
            assertTrue(wrong.err().contains("UNAUTHENTICATED") && wrong.err().contains("not recognised"), wrong.err());

            Result reader = cli("top", "--server", s.addr(), "--tls-ca", ca, "--token-file", readerToken.toString(),
                    "--format", "csv");
            assertEquals(0, reader.code(), reader.all());
            assertTrue(reader.out().contains(",gw-t,") && !reader.out().contains("gw-r"), reader.out());

            String everything = ok.all() + readerIngests.all() + agentQueries.all() + noToken.all() + wrong.all()
                    + reader.all() + s.log;
            assertFalse(everything.contains("agent-secret-1") || everything.contains("reader-secret-2"),
                    "no token is ever printed or logged");
        }
    }

    @Test
    void theServersNameIsCheckedAgainstItsCertificateOrTheNameGiven() throws Exception {
        try (SecureServer s = new SecureServer(tmp.resolve("db"), "--tls-cert", pki.server().cert().toString(),
                "--tls-key", pki.server().key().toString())) {
            String byIp = "127.0.0.1:" + s.server.port();
            String ca = pki.ca().toString();
            Result ip = agent("--server", byIp, "--host-id", "gw-a", "--tls-ca", ca);
            assertEquals(0, ip.code(), "an IP SAN names the server: " + ip.all());
            Result other = agent("--server", byIp, "--host-id", "gw-a", "--tls-ca", ca, "--tls-server-name",
                    "gw-collector.example");
            assertEquals(1, other.code(), "a name the certificate does not carry is refused: " + other.all());
            Result named = agent("--server", byIp, "--host-id", "gw-a", "--tls-ca", ca, "--tls-server-name", "localhost");
            assertEquals(0, named.code(), "--tls-server-name is the name checked: " + named.all());
        }
    }

    @Test
    void rotatedServerCertificateIsUsedWithoutARestart() throws Exception {
        Path cert = Files.copy(pki.server().cert(), tmp.resolve("server.pem"));
        Path key = Files.copy(pki.server().key(), tmp.resolve("server.key"));
        try (SecureServer s = new SecureServer(tmp.resolve("db"), "--tls-cert", cert.toString(), "--tls-key",
                key.toString(), "--tls-refresh", "100ms")) {
            String[] trustRogue = {"--server", s.addr(), "--host-id", "gw-a", "--tls-ca", pki.rogueCa().toString()};
            String[] trustOld = {"--server", s.addr(), "--host-id", "gw-a", "--tls-ca", pki.ca().toString()};
            assertEquals(1, agent(trustRogue).code(), "before the rotation the server's certificate is from the old CA");
            // Half-written: the new key is there, its certificate not yet. The pair is refused, the old one kept.
            Files.copy(pki.rogueServer().key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (int i = 0; i < 50 && s.log.stream().noneMatch(l -> l.contains("keeping the previous")); i++) {
                Thread.sleep(100);
            }
            assertTrue(s.log.stream().anyMatch(l -> l.contains("keeping the previous credentials")
                    && l.contains("is not the private key of")), s.log.toString());
            Result during = agent(trustOld);
            assertEquals(0, during.code(), "the old pair is still served: " + during.all());
            Files.copy(pki.rogueServer().cert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Result after = null;
            for (int i = 0; i < 10 && (after == null || after.code() != 0); i++) {
                Thread.sleep(300);
                after = agent(trustRogue);
            }
            assertEquals(0, after.code(), "the new certificate is served without a restart: " + after.all() + s.log);
            assertTrue(s.log.stream().anyMatch(l -> l.startsWith("reloaded")), s.log.toString());
        }
    }
}
