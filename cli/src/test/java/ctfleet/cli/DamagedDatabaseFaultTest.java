package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.store.DatabaseCheck;
import ctfleet.server.store.DatabaseRefused;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite: damaged database files under a real server process. A damaged file is refused
 * untouched with one line; damage the start check cannot see turns the running server NOT_SERVING
 * with the reason; {@code ctfleet admin recover} salvages it and the server starts on the copy.
 */
class DamagedDatabaseFaultTest {
    static final int HOSTS = 12;
    static final int SAMPLES = 300;

    @TempDir
    static Path shared;
    static Path sound;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fill() throws Exception {
        sound = shared.resolve("sound");
        FaultSupport.fill(sound, HOSTS, SAMPLES);
    }

    static Path file(Path dir) {
        return dir.resolve("ctfleet.mv.db");
    }

    Path copy(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.copy(file(sound), file(dir));
        return dir;
    }

    @Test
    void cutAndEmptyFilesAreRefusedUntouchedWithOneLine() throws Exception {
        Path cut = copy("cut");
        try (FileChannel ch = FileChannel.open(file(cut), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        Path empty = copy("empty");
        Files.write(file(empty), new byte[0]);
        for (Path dir : List.of(cut, empty)) {
            byte[] before = Files.readAllBytes(file(dir));
            ServerProcess.Refusal r = ServerProcess.refused(ServerProcess.freePort(), dir);
            assertEquals(DatabaseRefused.EXIT_STATUS, r.exitCode(), r.stderr());
            assertEquals("", r.stdout(), "it never says it is listening");
            List<String> lines = r.stderr().lines().toList();
            assertEquals(1, lines.size(), r.stderr());
            assertTrue(lines.get(0).startsWith("ctfleet server: the database file " + file(dir) + " is damaged ("), lines.get(0));
            assertTrue(lines.get(0).contains("it was left as it was. Salvage what can be read with: ctfleet admin recover --db "
                    + dir + " --to "), lines.get(0));
            assertArrayEquals(before, Files.readAllBytes(file(dir)), "the file is byte for byte as it was");
        }
        EndToEndTest.Result rec = EndToEndTest.recover("--db", cut.toString(), "--to", tmp.resolve("x").toString());
        assertEquals(1, rec.code());
        assertTrue(rec.err().contains("H2 cannot open " + file(cut) + " at all") && rec.err().contains("Restore the newest backup"),
                rec.err());
    }

    @Test
    void damageFoundWhileRunningStopsTheServerStoringAndRecoverSalvagesTheRest() throws Exception {
        Path dir = deepDamage();
        int port = ServerProcess.freePort();
        String failure = null;
        // The start check cannot see this damage: the server starts. Its read-ahead of the hosts'
        // tails may meet the damaged page first, or a read below does.
        try (ServerProcess server = ServerProcess.start(port, dir)) {
            // Read every host's history at every resolution until a read meets the damaged page.
            outer:
            for (int h = 0; h < HOSTS; h++) {
                for (String[] q : new String[][] {{"raw", "2h"}, {"1m", "1d"}, {"1h", "30d"}}) {
                    EndToEndTest.Result r = EndToEndTest.cli("history", "gw-" + h, "--step", q[0], "--since", q[1],
                            "--server", "127.0.0.1:" + port);
                    if (r.code() != 0) {
                        failure = r.err();
                        break outer;
                    }
                }
            }
            assertTrue(failure != null, "some read must meet the damage");
            assertTrue(failure.startsWith("ctfleet history: the server's database is unavailable: " + file(dir) + " is damaged (")
                    && failure.contains("stop the server and salvage it with: ctfleet admin recover --db " + dir + " --to NEWDIR"),
                    failure);
            // Not half-working: everything says the same now, and nothing is stored.
            EndToEndTest.Result top = EndToEndTest.cli("top", "--server", "127.0.0.1:" + port);
            assertEquals(1, top.code());
            assertTrue(top.err().contains("the server's database is unavailable"), top.err());
            EndToEndTest.Result check = EndToEndTest.cli("check", "--server", "127.0.0.1:" + port);
            assertEquals(3, check.code(), "UNKNOWN for Nagios: " + check.err());
            assertEquals("NOT_SERVING", FaultSupport.health(port));
            try (FaultSupport.AgentProcess agent = new FaultSupport.AgentProcess(List.of(), Map.of(), tmp.resolve("agent.log"),
                    "--server", "127.0.0.1:" + port, "--host-id", "gw-new", "--once", "--ack-timeout", "5s",
                    "--proc-root", FaultSupport.PROC.toString())) {
                assertEquals(1, agent.waitFor());
                assertTrue(agent.log().contains("the server's database is unavailable"), agent.log());
            }
            assertEquals(1, FaultSupport.count(server.log(), "database unavailable: " + file(dir) + " is damaged"),
                    "said once: " + server.log());
        }

        Path to = tmp.resolve("recovered");
        EndToEndTest.Result rec = EndToEndTest.recover("--db", dir.toString(), "--to", to.toString());
        assertEquals(0, rec.code(), rec.err());
        assertTrue(rec.out().contains("unreadable:") && rec.out().contains("lost"), rec.out());
        assertTrue(rec.out().contains("start the server with --db " + to), rec.out());
        try (ServerProcess server = ServerProcess.start(port, to)) {
            EndToEndTest.Result top = EndToEndTest.cli("top", "--server", "127.0.0.1:" + port, "--format", "csv");
            assertEquals(0, top.code(), top.err());
            assertEquals(HOSTS + 1, top.out().lines().count(), "every host is back: " + top.out());
            assertEquals("SERVING", FaultSupport.health(port));
        }
    }

    /**
     * A copy with 512 bytes of garbage where the start check cannot see it but reading every row
     * does: inside a large table. Stretches are tried from a fixed seed until one qualifies.
     */
    Path deepDamage() throws Exception {
        long size = Files.size(file(sound));
        Random r = new Random(18);
        for (int attempt = 0; attempt < 200; attempt++) {
            Path dir = copy("deep-" + attempt);
            byte[] junk = new byte[512];
            r.nextBytes(junk);
            try (FileChannel ch = FileChannel.open(file(dir), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(junk), 8192 + (long) (r.nextDouble() * (size - 8192 - 1024)));
            }
            try {
                DatabaseCheck.check(dir);
            } catch (DatabaseRefused e) {
                continue;
            }
            if (!readsWhole(dir)) {
                return dir;
            }
        }
        throw new AssertionError("no stretch of garbage damaged a large table alone in 200 tries");
    }

    static boolean readsWhole(Path dir) {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("ctfleet")
                + ";ACCESS_MODE_DATA=r;TRACE_LEVEL_FILE=0;IFEXISTS=TRUE", "ctfleet", "")) {
            for (String t : List.of("SAMPLES", "SAMPLES_1M", "SAMPLES_1H")) {
                try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + t)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            rs.getObject(i);
                        }
                    }
                }
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }
}
