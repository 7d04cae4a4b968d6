package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctfleet gen-certs} as README shows it, in a process of its own with its own working directory. */
class GenCertsTest {
    @TempDir
    Path cwd;

    @Test
    void readmesExampleWithARelativeDirectoryWorks() throws Exception {
        FaultSupport.require(FaultSupport.onPath("openssl"), "openssl");
        CliProcess.Result r = CliProcess.in(cwd).run("gen-certs", "./pki", "--hosts", "gw-1,gw-2,gw-3",
                "--server-names", "collector.example.com,10.0.0.5", "--days", "365");
        assertEquals(0, r.code(), r.all());
        for (String f : new String[] {"ca.pem", "ca.key", "server.pem", "server.key", "cli.pem", "admin.key",
            "gw-1.pem", "gw-3.key", "client-roles"}) {
            assertTrue(Files.size(cwd.resolve("pki").resolve(f)) > 0, f + " in " + r.all());
        }
        assertTrue(r.out().contains("--tls-ca ./pki/ca.pem"), r.out());
    }
}
