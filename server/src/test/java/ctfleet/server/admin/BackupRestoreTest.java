package ctfleet.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.BackupResponse;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.RollupJob;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleStore;
import ctfleet.server.store.Step;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRestoreTest {
    static final long T0 = 1_760_000_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + 3_600_000), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    Database db;
    CtfleetServer server;
    ManagedChannel channel;
    AdminGrpc.AdminBlockingStub admin;

    @BeforeEach
    void start() throws Exception {
        db = Database.open(tmp.resolve("db"));
        String name = InProcessServerBuilder.generateName();
        server = new CtfleetServer(InProcessServerBuilder.forName(name).directExecutor(), db, CLOCK).start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        admin = AdminGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.close();
    }

    void load() throws Exception {
        RollupBacklog backlog = new RollupBacklog();
        SampleStore store = new SampleStore(db, backlog);
        HostStore hosts = new HostStore(db);
        for (String id : List.of("gw-a", "gw-b", "gw-c")) {
            long ref = hosts.hello(new HostHello(id, Map.of("dc", "fra1"), "6.1", "0.1", 0), T0);
            List<SampleStore.Write> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long ts = T0 + i * 10_000L;
                batch.add(new SampleStore.Write(ref, new SampleRow(ts, true, 1000 + i * id.hashCode() % 97, 65536,
                        16384, 4096, 0, "boot", Map.of("drop", (long) i * i), new TreeMap<>(), 320, true,
                        i % 6 == 0 ? "{\"states\":" + i + "}" : ""), ts));
            }
            store.write(batch);
        }
        new RollupJob(db, backlog, Retention.DEFAULT).run(CLOCK.millis());
    }

    record Answers(Object latest, Object raw, Object minutes, Object hours, long entries) {}

    static Answers ask(Database d) throws Exception {
        HistoryReader h = new HistoryReader(d, Retention.DEFAULT, CLOCK);
        List<Object> fleet = new ArrayList<>();
        h.fleetSeries(T0, T0 + 3_600_000, Step.MINUTE, (host, p) -> fleet.add(host + p));
        long entries;
        try (var c = d.connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM entry_summaries")) {
            rs.next();
            entries = rs.getLong(1);
        }
        // Each host's state on its own: the fleet-wide read leaves out the entry breakdowns.
        FleetReader reader = new FleetReader(d);
        List<Object> latest = new ArrayList<>();
        for (var l : reader.latest()) {
            latest.add(reader.latest(l.hostId()));
        }
        return new Answers(latest, h.series("gw-b", T0, T0 + 3_600_000, Step.RAW), fleet,
                h.series("gw-c", T0, T0 + 3_600_000, Step.HOUR), entries);
    }

    /** The documented restore: stop, unzip the backup into an empty --db directory, start. */
    static void unzip(Path zip, Path dir) throws Exception {
        Files.createDirectories(dir);
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                Files.copy(z, dir.resolve(e.getName()));
            }
        }
    }

    @Test
    void backupThenRestoreGivesTheSameAnswers() throws Exception {
        load();
        Path zip = tmp.resolve("backup.zip");
        BackupResponse r = admin.backup(BackupRequest.newBuilder().setPath(zip.toString()).build());
        assertEquals(zip.toString(), r.getPath());
        assertEquals(Files.size(zip), r.getBytes());
        Answers before = ask(db);
        assertEquals(3, ((List<?>) before.latest()).size());
        assertEquals(300, ((List<?>) before.raw()).size());
        assertTrue(before.entries() > 0);

        Path restored = tmp.resolve("restored");
        unzip(zip, restored);
        try (Database again = Database.open(restored)) {
            assertEquals(before, ask(again));
        }
    }

    @Test
    void relativePathIsRefusedAsInvalidArgument() {
        var e = assertThrows(StatusRuntimeException.class,
                () -> admin.backup(BackupRequest.newBuilder().setPath("backup.zip").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("absolute"), e.getStatus().getDescription());
        assertFalse(Files.exists(Path.of("backup.zip")));
    }

    @Test
    void existingFileIsNeverOverwritten() throws Exception {
        Path existing = Files.writeString(tmp.resolve("taken.zip"), "keep me");
        var e = assertThrows(StatusRuntimeException.class,
                () -> admin.backup(BackupRequest.newBuilder().setPath(existing.toString()).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("already exists"));
        assertEquals("keep me", Files.readString(existing));
    }
}
