package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.ship.Backoff;
import ctfleet.agent.ship.Shipper;
import ctfleet.agent.ship.Spool;
import ctfleet.proto.v1.Hello;
import ctfleet.server.store.Database;
import ctfleet.server.store.DatabaseRefused;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite: the server's database on a small tmpfs that fills up while agents keep sending,
 * then empties again; and the same file system read-only when the server starts. Needs root (to
 * mount).
 */
class FullDiskFaultTest {
    static final int HOSTS = 3;

    @TempDir
    Path tmp;

    Path mount;
    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void mountTmpfs() throws Exception {
        FaultSupport.require(FaultSupport.root(), "mounting a small tmpfs needs root");
        mount = tmp.resolve("fs");
        Files.createDirectories(mount);
        assertEquals(0, FaultSupport.run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString()), "mount");
    }

    @AfterEach
    void unmount() throws Exception {
        timer.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
        if (mount != null) {
            FaultSupport.run("umount", "-l", mount.toString());
        }
    }

    /** A gateway's real delivery path: its disk spool (not on the full disk) and shipper. */
    final class Agent implements AutoCloseable {
        final Spool spool;
        final Shipper shipper;

        Agent(String host, int port) throws IOException {
            ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
            channels.add(ch);
            spool = Spool.open(tmp.resolve("spool-" + host));
            shipper = new Shipper(ch, Hello.newBuilder().setHostId(host).build(), spool, timer,
                    new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, new SplittableRandom(7)), msg -> { },
                    (seq, dup) -> { }).startSync();
            shipper.start();
        }

        @Override
        public void close() throws IOException {
            shipper.close();
            spool.close();
        }
    }

    @Test
    void fullDiskIsNamedOnceEverywhereAndIngestResumesWithNothingLost() throws Exception {
        Path db = mount.resolve("db");
        int port = ServerProcess.freePort();
        int metricsPort = ServerProcess.freePort();
        String at = "127.0.0.1:" + port;
        long t0 = System.currentTimeMillis() - 600_000;
        int ticks = 0;
        List<Agent> agents = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(port, db, "--metrics-listen", "127.0.0.1:" + metricsPort)) {
            for (int h = 0; h < HOSTS; h++) {
                agents.add(new Agent("gw-" + h, port));
            }
            for (; ticks < 20; ticks++) {
                tick(agents, t0, ticks);
            }
            Path filler = mount.resolve("filler");
            fill(filler);
            String want = "the server's database is unavailable: no space left on " + db;
            String[] top = {""};
            FaultSupport.waitFor(Duration.ofSeconds(30), "the server to notice the full disk", () -> {
                EndToEndTest.Result r = EndToEndTest.cli("top", "--server", at);
                top[0] = r.err();
                return r.code() == 1;
            });
            for (; ticks < 40; ticks++) { // the agents keep sampling into their spools
                tick(agents, t0, ticks);
            }
            assertEquals("ctfleet top: " + want, top[0].strip(), "the reason, not 'cannot reach the server'");
            EndToEndTest.Result check = EndToEndTest.cli("check", "--server", at);
            assertEquals(3, check.code());
            assertEquals("ctfleet check: " + want, check.err().strip());
            assertEquals("NOT_SERVING", FaultSupport.health(port));
            String metrics = FaultSupport.metrics(metricsPort);
            assertTrue(metrics.contains("ctfleet_database_up 0.0") && metrics.contains("ctfleet_database_fault{kind=\"disk-full\"} 1.0"),
                    metrics);

            Files.delete(filler);
            FaultSupport.waitFor(Duration.ofSeconds(30), "the server to notice the room", () -> server.log().contains(
                    "database available again after"));
            for (; ticks < 60; ticks++) {
                tick(agents, t0, ticks);
            }
            for (Agent a : agents) {
                assertTrue(a.shipper.awaitAck(a.spool.lastSeq(), Duration.ofSeconds(60)), "every sample acknowledged");
            }
            assertEquals("SERVING", FaultSupport.health(port));
            assertEquals(0, EndToEndTest.cli("top", "--server", at).code());
            String log = server.log();
            assertEquals(1, FaultSupport.count(log, "database unavailable: no space left on " + db + " (No space left on device)"),
                    "the cause, once: " + log);
            assertEquals(1, FaultSupport.count(log, "database available again after"), log);
            assertEquals(0, FaultSupport.count(log, "commit of"), "no line per failed commit: " + log);
        } finally {
            for (Agent a : agents) {
                a.close();
            }
        }
        try (Database d = Database.open(db)) {
            for (int h = 0; h < HOSTS; h++) {
                assertEquals(List.of((long) ticks, (long) ticks, t0, t0 + (ticks - 1) * 1000L),
                        DeliveryTest.rows(d, "SELECT COUNT(*), COUNT(DISTINCT s.ts), MIN(s.ts), MAX(s.ts) FROM raw_samples s"
                                + " JOIN hosts h ON h.id = s.host_ref WHERE h.host_id = 'gw-" + h + "'"),
                        "gw-" + h + ": every sample stored once");
            }
        }
    }

    @Test
    void readOnlyFileSystemAtStartIsRefusedUntouched() throws Exception {
        Path db = mount.resolve("db");
        Database.open(db).close();
        byte[] before = Files.readAllBytes(db.resolve("ctfleet.mv.db"));
        assertEquals(0, FaultSupport.run("mount", "-o", "remount,ro", mount.toString()), "remount read-only");
        try {
            ServerProcess.Refusal r = ServerProcess.refused(ServerProcess.freePort(), db);
            assertEquals(DatabaseRefused.EXIT_STATUS, r.exitCode(), r.stderr());
            assertEquals(1, r.stderr().lines().count(), r.stderr());
            assertTrue(r.stderr().startsWith("ctfleet server: cannot write to the database file " + db.resolve("ctfleet.mv.db")
                    + " (a read-only file or file system)"), r.stderr());
            assertArrayEquals(before, Files.readAllBytes(db.resolve("ctfleet.mv.db")));
        } finally {
            FaultSupport.run("mount", "-o", "remount,rw", mount.toString());
        }
    }

    static void tick(List<Agent> agents, long t0, int tick) throws Exception {
        for (Agent a : agents) {
            a.shipper.offer(FaultSupport.sample(t0 + tick * 1000L, 1000 + tick));
        }
        Thread.sleep(100);
    }

    /** Writes until the file system is full, to the last byte (big writes leave a partial one's room). */
    static void fill(Path filler) throws IOException {
        try (var out = java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (int size : new int[] {256 * 1024, 4096, 1}) {
                java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(size);
                try {
                    while (true) {
                        chunk.clear();
                        out.write(chunk);
                    }
                } catch (IOException full) {
                    if (!String.valueOf(full.getMessage()).contains("No space left")) {
                        throw full;
                    }
                }
            }
        }
    }
}
