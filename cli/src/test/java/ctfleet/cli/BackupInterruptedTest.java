package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.cli.backup.BackupDownload;
import ctfleet.common.BackupArchive;
import ctfleet.server.store.Database;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's partial backup: a server killed (SIGKILL) in the middle of {@code ctfleet admin backup}
 * leaves no file under the backup's name and no temporary file, the CLI says the server went away,
 * and once the server is back the same command succeeds.
 */
class BackupInterruptedTest {
    /** Rows of incompressible text: an archive many times larger than what the transport buffers. */
    static final int ROWS = 600;
    static final int ROW_BYTES = 16 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aServerKilledMidBackupLeavesNoFileAndARetryWorks() throws Exception {
        Path db = tmp.resolve("db");
        load(db);
        Path here = Files.createDirectories(tmp.resolve("here"));
        Path zip = here.resolve("nightly.zip");
        int port = ServerProcess.freePort();
        ServerProcess server = ServerProcess.start(port, db);
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                .build();
        long[] atKill = {-1};
        try {
            IOException e = assertThrows(IOException.class, () -> BackupDownload.download(ch, zip, Duration.ofMinutes(5),
                    new BackupDownload.Progress() {
                        @Override
                        public void started(Path partial) {}

                        @Override
                        public void received(long bytes) {
                            if (atKill[0] < 0) {
                                atKill[0] = bytes;
                                try {
                                    server.kill(); // SIGKILL, and wait until it is gone
                                } catch (InterruptedException ie) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        }
                    }));
            assertTrue(atKill[0] > 0, "the server was killed after the first chunk arrived");
            assertTrue(e.getMessage().startsWith("the server went away mid-backup after "), e.getMessage());
            assertTrue(e.getMessage().contains("nothing was written to " + zip), e.getMessage());
            assertFalse(Files.exists(zip), "no file under the backup's name");
            assertEquals(List.of(), AdminCommandTest.list(here), "and no temporary file either");
        } finally {
            ch.shutdownNow();
            server.close();
        }

        try (ServerProcess again = ServerProcess.start(port, db)) {
            assertEquals(List.of(), AdminCommandTest.list(db.resolve("backups")),
                    "the restarted server removed the archive it was sending when it died");
            var retry = EndToEndTest.cli("admin", "backup", "--server", "127.0.0.1:" + port, zip.toString());
            assertEquals(0, retry.code(), retry.err());
            BackupArchive.verify(zip);
        }
        Path restored = tmp.resolve("restored");
        unzip(zip, restored);
        try (Database d = Database.open(restored); var c = d.connect(); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM entry_summaries")) {
            rs.next();
            assertEquals(ROWS, rs.getInt(1), "the retried backup holds every row");
        }
    }

    @Test
    void theCliSaysTheServerWentAwayAndExitsOne() throws Exception {
        Path db = tmp.resolve("db");
        load(db);
        int port = ServerProcess.freePort();
        Path here = Files.createDirectories(tmp.resolve("here"));
        Path zip = here.resolve("cli.zip");
        try (ServerProcess server = ServerProcess.start(port, db)) {
            // The CLI makes its temporary file once the server has accepted the request, and the server
            // sends nothing until its archive is complete and verified: killing the server as soon as
            // that file appears lands mid-backup.
            Thread killer = new Thread(() -> {
                try {
                    for (int i = 0; i < 30_000 && !partialExists(here); i++) {
                        Thread.sleep(1);
                    }
                    server.kill();
                } catch (Exception e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.start();
            var r = EndToEndTest.cli("admin", "backup", "--server", "127.0.0.1:" + port, zip.toString());
            killer.join();
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().startsWith("ctfleet backup: the server went away mid-backup after "), r.err());
            assertTrue(r.err().contains("nothing was written to " + zip + "; run the command again"), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
            assertEquals(List.of(), AdminCommandTest.list(here));
        }
    }

    static boolean partialExists(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".partial"));
        }
    }

    static void load(Path dir) throws Exception {
        try (Database d = Database.open(dir)) {
            long ref = new HostStore(d).hello(new HostHello("gw-big", Map.of(), "6.1", "0.1", 0), 1_760_000_000_000L);
            SplittableRandom r = new SplittableRandom(5);
            try (var c = d.connect(); var st = c.prepareStatement(
                    "INSERT INTO entry_summaries (host_ref, ts, sample_ts, entries) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < ROWS; i++) {
                    byte[] noise = new byte[ROW_BYTES * 3 / 4];
                    r.nextBytes(noise);
                    st.setLong(1, ref);
                    st.setLong(2, 1_760_000_000_000L + i * 60_000L);
                    st.setLong(3, 1_760_000_000_000L + i * 60_000L);
                    st.setString(4, Base64.getEncoder().encodeToString(noise));
                    st.executeUpdate();
                }
            }
        }
    }

    static void unzip(Path zip, Path dir) throws Exception {
        Files.createDirectories(dir);
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                Files.copy(z, dir.resolve(e.getName()));
            }
        }
    }
}
