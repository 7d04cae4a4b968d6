package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI says when TLS goes wrong, against a real mutual-TLS server process on loopback with
 * certificates from {@code ctfleet gen-certs} (README, Security: "TLS failed: ... (the server
 * refused this client's certificate ...)").
 */
class TlsRefusalTest {
    static final String REFUSED = "the server refused this client's certificate (missing, expired, or not signed by";

    @TempDir
    static Path tmp;
    static Path pki;
    static Path other;
    static ServerProcess server;
    static String addr;

    @BeforeAll
    static void start() throws Exception {
        FaultSupport.require(FaultSupport.onPath("openssl"), "openssl");
        pki = tmp.resolve("pki");
        other = tmp.resolve("other");
        assertEquals(0, CliProcess.here().run("gen-certs", pki.toString(), "--hosts", "gw-1").code());
        assertEquals(0, CliProcess.here().run("gen-certs", other.toString(), "--hosts", "gw-1").code());
        int port = ServerProcess.freePort();
        server = ServerProcess.start(port, tmp.resolve("db"), "--tls-cert", pki.resolve("server.pem").toString(),
                "--tls-key", pki.resolve("server.key").toString(), "--tls-client-ca", pki.resolve("ca.pem").toString(),
                "--client-roles", pki.resolve("client-roles").toString());
        addr = "127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void noClientCertificateIsExplained() throws Exception {
        CliProcess.Result r = CliProcess.here().run("top", "--server", addr, "--tls-ca", pki.resolve("ca.pem").toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("TLS failed: ") && r.err().contains(REFUSED), r.err());
    }

    @Test
    void aCertificateFromAnotherCaIsExplained() throws Exception {
        CliProcess.Result r = CliProcess.here().run("top", "--server", addr, "--tls-ca", pki.resolve("ca.pem").toString(),
                "--tls-cert", other.resolve("cli.pem").toString(), "--tls-key", other.resolve("cli.key").toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("TLS failed: ") && r.err().contains(REFUSED), r.err());
    }

    @Test
    void theRightCertificateStillWorks() throws Exception {
        CliProcess.Result r = CliProcess.here().run("top", "--server", addr, "--tls-ca", pki.resolve("ca.pem").toString(),
                "--tls-cert", pki.resolve("cli.pem").toString(), "--tls-key", pki.resolve("cli.key").toString());
        assertEquals(0, r.code(), r.all());
    }

    @Test
    void plaintextToATlsServerSaysItIsProbablyTls() throws Exception {
        CliProcess.Result r = CliProcess.here().run("top", "--server", addr);
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("probably a TLS server; give --tls-ca FILE"), r.err());
    }

    @Test
    void anHttpServerIsNotACtfleetServer() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.start();
        try {
            CliProcess.Result r = CliProcess.here().run("top", "--server", "127.0.0.1:" + http.getAddress().getPort());
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("not a ctfleet (gRPC) server"), r.err());
        } finally {
            http.stop(0);
        }
    }
}
