package ctfleet.server.admin;

import ctfleet.common.BackupArchive;
import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupChunk;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.BackupResponse;
import ctfleet.proto.v1.BackupStarted;
import ctfleet.proto.v1.StreamBackupRequest;
import ctfleet.server.store.Database;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.logging.Logger;

/**
 * Server operations: backups. The archive is made with H2's online {@code BACKUP TO} under a
 * temporary name in {@link BackupDir}, verified, and then either streamed to the caller (who writes
 * it on its own machine) or kept under a name the server chooses. The server never writes to a path
 * a client names: that let any caller create files wherever the server's user may write.
 */
public final class AdminService extends AdminGrpc.AdminImplBase {
    private static final Logger LOG = Logger.getLogger(AdminService.class.getName());
    private final Database db;
    private final BackupDir dir;
    private final Clock clock;

    /** @param backupDir where archives are made and server-side copies kept ({@code --backup-dir}) */
    public AdminService(Database db, Path backupDir, Clock clock) {
        this.db = db;
        this.dir = new BackupDir(backupDir);
        this.clock = clock;
        int left = dir.removeLeftovers();
        if (left > 0) {
            LOG.info("removed " + left + " unfinished backup file(s) from " + dir.path());
        }
    }

    @Override
    public void streamBackup(StreamBackupRequest req, StreamObserver<BackupChunk> responses) {
        var out = (ServerCallStreamObserver<BackupChunk>) responses;
        long start = System.nanoTime();
        Path archive;
        try {
            archive = dir.temporary();
        } catch (Exception e) {
            fail(out, "cannot make the archive in " + dir.path() + ": " + e.getMessage(), null);
            return;
        }
        BackupSender sender = new BackupSender(out, archive, start);
        // Both handlers must be set before this method returns; the sender does nothing until it has a file.
        out.setOnCancelHandler(sender::cancelled);
        out.setOnReadyHandler(sender::pump);
        out.onNext(BackupChunk.newBuilder().setStarted(BackupStarted.getDefaultInstance()).build());
        try {
            db.backup(archive);
            BackupArchive.verify(archive);
        } catch (Exception e) {
            fail(out, "backup failed: " + e.getMessage(), archive);
            return;
        }
        sender.open();
    }

    @Override
    public void backup(BackupRequest req, StreamObserver<BackupResponse> out) {
        if (!req.getPath().isEmpty()) {
            String p = req.getPath();
            out.onError(Status.INVALID_ARGUMENT.withDescription("the server does not write to a path a client names (got '"
                    + (p.length() > 40 ? p.substring(0, 40) + "..." : p) + "'): it keeps its own copies under its"
                    + " --backup-dir; with a current CLI, `ctfleet admin backup FILE` receives the archive and writes"
                    + " FILE on your machine, and `--on-server` asks for a copy on the server").asRuntimeException());
            return;
        }
        long start = System.nanoTime();
        Path archive = null;
        try {
            archive = dir.temporary();
            db.backup(archive);
            Path kept = dir.keep(archive, clock.instant());
            out.onNext(BackupResponse.newBuilder().setPath(kept.toString()).setBytes(Files.size(kept))
                    .setMillis((System.nanoTime() - start) / 1_000_000).build());
            out.onCompleted();
        } catch (Exception e) {
            fail(out, "backup failed: " + e.getMessage(), archive);
        }
    }

    private static void fail(StreamObserver<?> out, String why, Path archive) {
        LOG.warning(why);
        if (archive != null) {
            try {
                Files.deleteIfExists(archive);
            } catch (Exception e) {
                // removed at the next start
            }
        }
        out.onError(Status.INTERNAL.withDescription(why).asRuntimeException());
    }
}
