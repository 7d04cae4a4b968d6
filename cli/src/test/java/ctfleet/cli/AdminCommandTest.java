package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminCommandTest {
    @TempDir
    Path tmp;

    @Test
    void backupWritesAZipOnceAndRefusesToOverwriteIt() throws Exception {
        try (CtfleetServer server = new CtfleetServer(NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0)), Database.open(tmp.resolve("db")), Clock.systemUTC()).start()) {
            String addr = "127.0.0.1:" + server.port();
            Path zip = tmp.resolve("ctfleet-backup.zip");

            var first = EndToEndTest.cli("admin", "backup", "--server", addr, zip.toString());
            assertEquals(0, first.code(), first.err());
            assertTrue(first.out().contains(zip.toString()), first.out());
            assertTrue(Files.size(zip) > 0);

            var second = EndToEndTest.cli("admin", "backup", "--server", addr, zip.toString());
            assertEquals(1, second.code());
            assertTrue(second.err().contains("already exists"), second.err());
            assertTrue(!second.err().contains("\tat "), "a message, not a stack trace");
        }
    }
}
