package ctfleet.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.BackupResponse;
import ctfleet.proto.v1.BackupChunk;
import ctfleet.proto.v1.BackupDone;
import ctfleet.proto.v1.StreamBackupRequest;
import ctfleet.common.BackupArchive;
import io.grpc.Context;
import io.grpc.Context.CancellableContext;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;
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
import ctfleet.server.store.SampledEntries;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.WriteOutcome;
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
import java.util.Optional;
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
        SampleWriter store = new SampleWriter(db, backlog);
        HostStore hosts = new HostStore(db);
        for (String id : List.of("gw-a", "gw-b", "gw-c")) {
            long ref = hosts.hello(new HostHello(id, Map.of("dc", "fra1"), "6.1", "0.1", 0), T0);
            List<SampleWrite> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long ts = T0 + i * 10_000L;
                batch.add(new SampleWrite(ref, new SampleRow(ts, true, 1000 + i * id.hashCode() % 97, 65536,
                        16384, 4096, 0, "boot", Map.of("drop", (long) i * i), new TreeMap<>(), 320, true,
                        i % 6 == 0 ? Optional.of(entries(i)) : Optional.empty()), ts));
            }
            store.write(batch);
        }
        new RollupJob(db, backlog, Retention.DEFAULT).run(CLOCK.millis());
    }

    static SampledEntries entries(int i) {
        return new SampledEntries(i, 0, false, List.of(new SampledEntries.State("ipv4", "tcp", "ESTABLISHED", i)), i, 0,
                List.of(), List.of(), List.of(), Map.of());
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

    /** What a client of StreamBackup receives, written to {@code file}; the done message's checks applied. */
    Path receive(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<BackupChunk.BodyCase> kinds = new ArrayList<>();
        BackupDone done = null;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (var it = admin.streamBackup(StreamBackupRequest.getDefaultInstance()); it.hasNext(); ) {
                BackupChunk c = it.next();
                kinds.add(c.getBodyCase());
                if (c.hasData()) {
                    c.getData().writeTo(out);
                    sha.update(c.getData().toByteArray());
                } else if (c.hasDone()) {
                    done = c.getDone();
                }
            }
        }
        assertEquals(BackupChunk.BodyCase.STARTED, kinds.get(0));
        assertEquals(BackupChunk.BodyCase.DONE, kinds.get(kinds.size() - 1));
        assertEquals(Files.size(file), done.getBytes());
        assertTrue(MessageDigest.isEqual(sha.digest(), done.getSha256().toByteArray()));
        return file;
    }

    @Test
    void aStreamedBackupRestoresToTheSameAnswers() throws Exception {
        load();
        Path zip = receive(tmp.resolve("backup.zip"));
        BackupArchive.verify(zip);
        Answers before = ask(db);
        assertEquals(3, ((List<?>) before.latest()).size());
        assertEquals(300, ((List<?>) before.raw()).size());
        assertTrue(before.entries() > 0);

        Path restored = tmp.resolve("restored");
        unzip(zip, restored);
        try (Database again = Database.open(restored)) {
            assertEquals(before, ask(again));
        }
        assertEquals(List.of(), backupDirFiles(), "the server's temporary archive is gone once sent");
    }

    @Test
    void aLargeArchiveIsSentInChunksAsTheCallerTakesThem() throws Exception {
        load();
        try (var c = db.connect(); var st = c.prepareStatement(
                "INSERT INTO entry_summaries (host_ref, ts, sample_ts, entries) VALUES (1, ?, ?, ?)")) {
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < 60; i++) {
                byte[] noise = new byte[16 * 1024];
                r.nextBytes(noise);
                st.setLong(1, T0 + (1000 + i) * 60_000L);
                st.setLong(2, T0 + (1000 + i) * 60_000L);
                st.setString(3, java.util.Base64.getEncoder().encodeToString(noise));
                st.executeUpdate();
            }
        }
        Path zip = receive(tmp.resolve("big.zip"));
        assertTrue(Files.size(zip) > 3 * BackupSender.CHUNK, "several chunks: " + Files.size(zip));
        BackupArchive.verify(zip);
    }

    @Test
    void aServerSideCopyIsNamedByTheServerUnderItsBackupDir() throws Exception {
        load();
        BackupResponse r = admin.backup(BackupRequest.getDefaultInstance());
        Path kept = Path.of(r.getPath());
        assertEquals(tmp.resolve("db").resolve("backups").toAbsolutePath(), kept.getParent());
        assertTrue(kept.getFileName().toString().matches("ctfleet-\\d{8}T\\d{6}Z\\.zip"), kept.toString());
        assertEquals(Files.size(kept), r.getBytes());
        BackupArchive.verify(kept);
        BackupResponse again = admin.backup(BackupRequest.getDefaultInstance());
        assertTrue(again.getPath().endsWith("-2.zip"), "a second copy in the same second gets its own name: "
                + again.getPath());
        assertEquals(2, backupDirFiles().size(), backupDirFiles().toString());
    }

    @Test
    void aPathSentByAnOldClientIsRefusedAndNothingIsWritten() throws Exception {
        Path outside = tmp.resolve("outside.zip");
        for (String path : List.of(outside.toString(), "../outside.zip", "../../tmp/x.zip", "sub/x.zip",
                "backup.zip", "/etc/cron.d/x")) {
            var e = assertThrows(StatusRuntimeException.class,
                    () -> admin.backup(BackupRequest.newBuilder().setPath(path).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), path);
            assertTrue(e.getStatus().getDescription().contains("does not write to a path a client names"),
                    e.getStatus().getDescription());
        }
        assertFalse(Files.exists(outside));
        assertFalse(Files.exists(tmp.resolve("db").resolve("outside.zip")));
        assertFalse(Files.exists(Path.of("backup.zip")));
        assertEquals(List.of(), backupDirFiles());
    }

    @Test
    void unfinishedArchivesOfAKilledServerAreRemovedAtStart() throws Exception {
        Path backups = Files.createDirectories(tmp.resolve("db").resolve("backups"));
        Path left = Files.writeString(backups.resolve(".backup-1234.zip.partial"), "PK cut short");
        Path kept = Files.writeString(backups.resolve("ctfleet-20250101T000000Z.zip"), "an operator's file");
        new AdminService(db, backups, CLOCK);
        assertFalse(Files.exists(left));
        assertTrue(Files.exists(kept), "only the server's own temporary files are removed");
    }

    @Test
    void aCallerThatStopsReadingEndsTheStreamAndTheServerRemovesItsArchive() throws Exception {
        load();
        CancellableContext ctx = Context.current().withCancellation();
        Context previous = ctx.attach();
        try {
            var it = admin.streamBackup(StreamBackupRequest.getDefaultInstance());
            assertTrue(it.next().hasStarted());
            assertTrue(it.next().hasData());
        } finally {
            ctx.detach(previous);
            ctx.cancel(null);
        }
        for (int i = 0; i < 100 && !backupDirFiles().isEmpty(); i++) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), backupDirFiles());
    }

    List<Path> backupDirFiles() throws Exception {
        Path dir = tmp.resolve("db").resolve("backups");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
