package ctfleet.server.admin;

import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.BackupResponse;
import ctfleet.server.store.Database;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.logging.Logger;

/** Server operations: the online backup. Paths are on the server's file system, not the caller's. */
public final class AdminService extends AdminGrpc.AdminImplBase {
    private static final Logger LOG = Logger.getLogger(AdminService.class.getName());
    private final Database db;

    public AdminService(Database db) {
        this.db = db;
    }

    @Override
    public void backup(BackupRequest req, StreamObserver<BackupResponse> out) {
        Path path;
        try {
            path = Path.of(req.getPath());
        } catch (InvalidPathException e) {
            refuse(out, "'" + req.getPath() + "' is not a path: " + e.getReason());
            return;
        }
        // A relative path would be resolved against the server's working directory, which the
        // caller cannot see; an existing file would be overwritten by a backup that may fail half-way.
        if (req.getPath().isEmpty() || !path.isAbsolute()) {
            refuse(out, "backup path must be absolute (it is a path on the server's machine), got '"
                    + req.getPath() + "'");
            return;
        }
        if (Files.exists(path)) {
            refuse(out, path + " already exists on the server; choose a new file name");
            return;
        }
        if (path.getParent() == null || !Files.isDirectory(path.getParent())) {
            refuse(out, "directory " + path.getParent() + " does not exist on the server");
            return;
        }
        long start = System.nanoTime();
        try {
            db.backup(path);
            long bytes = Files.size(path);
            out.onNext(BackupResponse.newBuilder().setPath(path.toString()).setBytes(bytes)
                    .setMillis((System.nanoTime() - start) / 1_000_000).build());
            out.onCompleted();
        } catch (Exception e) {
            LOG.warning("backup to " + path + " failed: " + e.getMessage());
            out.onError(Status.INTERNAL.withDescription("backup to " + path + " failed: " + e.getMessage())
                    .asRuntimeException());
        }
    }

    private static void refuse(StreamObserver<BackupResponse> out, String why) {
        out.onError(Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException());
    }
}
