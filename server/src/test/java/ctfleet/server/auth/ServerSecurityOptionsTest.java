package ctfleet.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerSecurityOptionsTest {
    static ServerSecurityOptions parse(String... args) {
        ServerSecurityOptions o = new ServerSecurityOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @Test
    void plaintextIsAllowedOnLoopbackOnly() {
        assertTrue(ServerSecurityOptions.plaintextRefusal(new InetSocketAddress("127.0.0.1", 1), false, false).isEmpty());
        assertTrue(ServerSecurityOptions.plaintextRefusal(new InetSocketAddress("::1", 1), false, false).isEmpty());
        String why = ServerSecurityOptions.plaintextRefusal(new InetSocketAddress("0.0.0.0", 7777), false, false)
                .orElseThrow();
        assertTrue(why.contains("0.0.0.0:7777") && why.contains("--tls-cert") && why.contains("--insecure"), why);
        assertTrue(ServerSecurityOptions.plaintextRefusal(new InetSocketAddress("0.0.0.0", 1), false, true).isEmpty());
        assertTrue(ServerSecurityOptions.plaintextRefusal(new InetSocketAddress("0.0.0.0", 1), true, false).isEmpty());
    }

    @Test
    void insecureOnTheNetworkIsSaidAtStart() throws Exception {
        List<String> log = new ArrayList<>();
        SecureListener l = parse("--insecure").listen(new InetSocketAddress("0.0.0.0", 0), log::add);
        l.resources().close();
        assertEquals(1, l.notices().size(), l.notices().toString());
        assertTrue(l.notices().get(0).startsWith("WARNING: plaintext on 0.0.0.0:0 (--insecure)"), l.notices().get(0));
    }

    @Test
    void flagsThatOnlyWorkTogetherAreUsageErrors() {
        var noKey = assertThrows(IllegalArgumentException.class,
                () -> parse("--tls-cert", "c.pem").listen(new InetSocketAddress("127.0.0.1", 0), m -> {}));
        assertEquals("--tls-cert and --tls-key go together", noKey.getMessage());
        var mtlsWithoutTls = assertThrows(IllegalArgumentException.class,
                () -> parse("--tls-client-ca", "ca.pem").listen(new InetSocketAddress("127.0.0.1", 0), m -> {}));
        assertTrue(mtlsWithoutTls.getMessage().contains("--tls-client-ca needs --tls-cert"), mtlsWithoutTls.getMessage());
        var rolesWithoutMtls = assertThrows(IllegalArgumentException.class, () -> parse("--tls-cert", "c.pem",
                "--tls-key", "k.pem", "--client-roles", "roles").listen(new InetSocketAddress("127.0.0.1", 0), m -> {}));
        assertEquals("--client-roles needs --tls-client-ca (it gives client certificates roles)",
                rolesWithoutMtls.getMessage());
        var rolesAndTokens = assertThrows(IllegalArgumentException.class, () -> parse("--tls-cert", "c.pem",
                "--tls-key", "k.pem", "--tls-client-ca", "ca.pem", "--client-roles", "roles", "--tokens", "t")
                .listen(new InetSocketAddress("127.0.0.1", 0), m -> {}));
        assertTrue(rolesAndTokens.getMessage().startsWith("--client-roles and --tokens do not go together"),
                rolesAndTokens.getMessage());
        var missingFile = assertThrows(IllegalArgumentException.class, () -> parse("--tls-cert", "/nonexistent/c.pem",
                "--tls-key", "/nonexistent/k.pem").listen(new InetSocketAddress("127.0.0.1", 0), m -> {}));
        assertTrue(missingFile.getMessage().contains("/nonexistent/c.pem"), missingFile.getMessage());
    }
}
