package ctfleet.cli.backup;

import ctfleet.client.StatusText;
import ctfleet.common.BackupArchive;
import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupChunk;
import ctfleet.proto.v1.BackupDone;
import ctfleet.proto.v1.StreamBackupRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;

/**
 * Receives a streamed backup into a file on this machine: whole or absent. Once the server has
 * accepted the request the bytes go to a temporary dot file next to FILE (owner-only: it is the
 * whole database); only when the server said {@code done} and the length, the SHA-256 and the zip
 * itself check out is it synced and renamed to FILE. A server that goes away mid-backup, a failed
 * check or an interrupted CLI leaves nothing under FILE, so running the command again just works.
 */
public final class BackupDownload implements AutoCloseable {
    /** What the download has reached, for tests that interrupt it at a known point. */
    public interface Progress {
        /** The server accepted the request; the temporary file exists. */
        void started(Path partial);

        void received(long bytes);

        Progress NONE = new Progress() {
            @Override
            public void started(Path partial) {}

            @Override
            public void received(long bytes) {}
        };
    }

    /** A backup written to {@code file}: {@code bytes} long, with this SHA-256 (hex). */
    public record Result(Path file, long bytes, String sha256, long serverMillis) {}

    private final Path target;
    private final Progress progress;
    private final MessageDigest sha256 = sha256();
    private Path partial;
    private FileChannel out;
    private long bytes;

    private final Liveness liveness;

    private BackupDownload(Path target, Progress progress, Liveness liveness) {
        this.target = target;
        this.progress = progress;
        this.liveness = liveness;
    }

    /**
     * Streams the server's backup into {@code file}, which must not exist. A failure before the
     * server accepted the request is the call's {@link StatusRuntimeException} (unreachable,
     * denied); any later failure, or a server that stops answering (nothing for {@code quiet} and
     * no answer to a health check: {@link Liveness}), is an {@link IOException} saying what
     * happened and that FILE was not written. There is no limit on how long a backup may take.
     */
    public static Result download(Channel channel, Path file, Duration quiet, Progress progress)
            throws IOException {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target + " already exists; choose a new file name");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("directory " + dir + " does not exist");
        }
        // Cancelled when we stop reading early, so the server stops sending and removes its copy.
        Context.CancellableContext call = Context.current().withCancellation();
        Context previous = call.attach();
        try (Liveness liveness = Liveness.watch(channel, call, quiet, Liveness.HEALTH_WAIT);
             BackupDownload d = new BackupDownload(target, progress, liveness)) {
            Result r = d.receive(AdminGrpc.newBlockingStub(channel)
                    .streamBackup(StreamBackupRequest.getDefaultInstance()));
            d.keep();
            return r;
        } finally {
            call.detach(previous);
            call.cancel(null);
        }
    }

    private Result receive(Iterator<BackupChunk> chunks) throws IOException {
        try {
            while (chunks.hasNext()) {
                BackupChunk c = chunks.next();
                liveness.heard();
                switch (c.getBodyCase()) {
                    case STARTED -> start();
                    case DATA -> write(c.getData().asReadOnlyByteBuffer());
                    case DONE -> {
                        return check(c.getDone());
                    }
                    default -> throw notWritten("the server sent an unknown kind of backup message (is the CLI older"
                            + " than the server?)");
                }
            }
        } catch (StatusRuntimeException e) {
            if (liveness.verdict() != null) {
                throw notWritten(liveness.verdict() + (partial == null ? "" : " (after " + bytes + " bytes)"));
            }
            if (partial == null) {
                throw e; // never accepted: unreachable, denied, an older server... the caller says which
            }
            throw notWritten(interrupted(e.getStatus()));
        }
        throw notWritten("the server ended the backup without finishing it after " + bytes + " bytes");
    }

    private void start() throws IOException {
        if (partial != null) {
            throw notWritten("the server started the backup twice");
        }
        partial = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".partial");
        partial.toFile().deleteOnExit(); // Ctrl-C or SIGTERM: no half archive left behind either
        out = FileChannel.open(partial, StandardOpenOption.WRITE);
        progress.started(partial);
    }

    private void write(ByteBuffer data) throws IOException {
        if (out == null) {
            throw notWritten("the server sent data before starting the backup");
        }
        int n = data.remaining();
        sha256.update(data.duplicate());
        while (data.hasRemaining()) {
            out.write(data);
        }
        bytes += n;
        progress.received(bytes);
    }

    private Result check(BackupDone done) throws IOException {
        if (out == null) {
            throw notWritten("the server finished a backup it never started");
        }
        byte[] sha = sha256.digest();
        if (done.getBytes() != bytes) {
            throw notWritten("received " + bytes + " bytes but the server sent " + done.getBytes());
        }
        if (!MessageDigest.isEqual(sha, done.getSha256().toByteArray())) {
            throw notWritten("the archive received does not match the server's SHA-256");
        }
        return new Result(target, bytes, HexFormat.of().formatHex(sha), done.getMillis());
    }

    /** Syncs, verifies and renames the received archive to FILE. */
    private void keep() throws IOException {
        out.force(true);
        out.close();
        try {
            BackupArchive.verify(partial);
        } catch (IOException e) {
            throw notWritten("the archive received failed its check (" + e.getMessage() + ")");
        }
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target + " appeared during the backup; the backup was not written"
                    + " over it");
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        partial = null;
        syncDirectory(target.getParent());
    }

    /** Every failure after the server accepted says the same two things: FILE is untouched, and a retry is safe. */
    private IOException notWritten(String why) {
        return new IOException(why + ": nothing was written to " + target + "; run the command again");
    }

    private String interrupted(Status s) {
        String after = " after " + bytes + " bytes";
        return switch (s.getCode()) {
            case UNAVAILABLE, CANCELLED, UNKNOWN -> "the server went away mid-backup" + after + " ("
                    + StatusText.describe(s) + ")";
            case DEADLINE_EXCEEDED -> "the backup did not finish in time" + after;
            default -> "the backup failed on the server" + after + " (" + StatusText.describe(s) + ")";
        };
    }

    /** Removes the temporary file unless it became FILE. */
    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
        if (partial != null) {
            Files.deleteIfExists(partial);
        }
    }

    /** The rename itself is durable only once the directory is. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every file system lets a directory be opened; the file itself is synced
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
