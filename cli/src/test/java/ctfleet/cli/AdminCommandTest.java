package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.common.BackupArchive;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminCommandTest {
    @TempDir
    Path tmp;

    CtfleetServer server() throws Exception {
        return new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(tmp.resolve("db")), Clock.systemUTC()).start();
    }

    @Test
    void backupIsWrittenOnThisMachineOnceAndNeverOverwritten() throws Exception {
        try (CtfleetServer server = server()) {
            String addr = "127.0.0.1:" + server.port();
            Path here = Files.createDirectories(tmp.resolve("here"));
            Path zip = here.resolve("ctfleet-backup.zip");

            var first = EndToEndTest.cli("admin", "backup", "--server", addr, zip.toString());
            assertEquals(0, first.code(), first.err());
            assertTrue(first.out().startsWith("backup written to " + zip + " (") && first.out().contains("checked"),
                    first.out());
            BackupArchive.verify(zip);
            assertEquals(List.of(zip), list(here), "no temporary file is left next to it");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(zip)), "the whole database: readable by its owner only");

            byte[] before = Files.readAllBytes(zip);
            var second = EndToEndTest.cli("admin", "backup", "--server", addr, zip.toString());
            assertEquals(1, second.code());
            assertTrue(second.err().contains("already exists"), second.err());
            assertFalse(second.err().contains("\tat "), "a message, not a stack trace");
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(zip)));
        }
    }

    @Test
    void onServerTheServerKeepsACopyItNamesItself() throws Exception {
        try (CtfleetServer server = server()) {
            var r = EndToEndTest.cli("admin", "backup", "--server", "127.0.0.1:" + server.port(), "--on-server");
            assertEquals(0, r.code(), r.err());
            Path backups = tmp.resolve("db").resolve("backups").toAbsolutePath();
            assertTrue(r.out().startsWith("backup kept on the server: " + backups + "/ctfleet-"), r.out());
            assertEquals(1, list(backups).size());
            BackupArchive.verify(list(backups).get(0));
        }
    }

    @Test
    void aFileAndOnServerOrNeitherIsAUsageError() {
        var both = EndToEndTest.cli("admin", "backup", "--server", "127.0.0.1:1", "--on-server", "x.zip");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--on-server takes no FILE"), both.err());
        var neither = EndToEndTest.cli("admin", "backup", "--server", "127.0.0.1:1");
        assertEquals(2, neither.code(), neither.err());
        assertTrue(neither.err().contains("name the FILE"), neither.err());
    }

    static List<Path> list(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
