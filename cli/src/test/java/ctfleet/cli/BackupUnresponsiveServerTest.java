package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code admin backup} against a server that stopped answering (SIGSTOP: its port still accepts
 * connections) gives up about 30 s after the server last said anything, like the other commands,
 * instead of waiting for a backup that will never come.
 */
class BackupUnresponsiveServerTest {
    @TempDir
    Path tmp;

    @Test
    void aStoppedServerIsGivenUpOnWithTheReason() throws Exception {
        int port = ServerProcess.freePort();
        ServerProcess server = ServerProcess.start(port, tmp.resolve("db"));
        try {
            server.pause();
            Path zip = tmp.resolve("nightly.zip");
            long start = System.nanoTime();
            CliProcess.Result r = CliProcess.here().timeout(Duration.ofSeconds(75))
                    .run("admin", "backup", "--server", "127.0.0.1:" + port, zip.toString());
            long took = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("the server stopped answering") && r.err().contains("nothing was written"),
                    r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(took < 60, "gave up after " + took + " s");
            assertFalse(Files.exists(zip));
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(0, left.filter(p -> p.getFileName().toString().contains("nightly")).count());
            }

            r = CliProcess.here().timeout(Duration.ofSeconds(75))
                    .run("admin", "backup", "--on-server", "--server", "127.0.0.1:" + port);
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("the server stopped answering"), r.err());
        } finally {
            server.resume();
            server.close();
        }
    }
}
