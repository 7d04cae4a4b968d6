package ctfleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.store.Database;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as an operator runs it: a separate process, a ready line, SIGTERM. */
class ServerMainProcessTest {
    @TempDir
    Path dir;

    @Test
    void printsReadyLineAndStopsCleanlyOnSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "ctfleet.server.ServerMain", "--listen", "127.0.0.1:0", "--db", dir.resolve("db").toString()))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line = out.readLine();
            assertTrue(line != null && line.matches("ctfleet server listening on 127\\.0\\.0\\.1:\\d+"), line);
            assertTrue(!line.endsWith(":0"), "the real port is printed, not 0");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "server stops on SIGTERM");
            assertEquals(143, p.exitValue(), "terminated by SIGTERM after the shutdown hook ran");
        } finally {
            p.destroyForcibly();
        }
        // A clean shutdown leaves a database that opens again without recovery errors.
        Database.open(dir.resolve("db")).close();
    }

    @Test
    void badListenAddressIsAUsageError() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "ctfleet.server.ServerMain", "--listen", "nonsense", "--db", dir.resolve("db").toString()))
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), text);
        assertTrue(text.contains("--listen") && !text.contains("\tat "), text);
    }
}
