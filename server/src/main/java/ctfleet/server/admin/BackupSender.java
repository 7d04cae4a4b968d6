package ctfleet.server.admin;

import com.google.protobuf.ByteString;
import ctfleet.proto.v1.BackupChunk;
import ctfleet.proto.v1.BackupDone;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.logging.Logger;

/**
 * Streams one finished archive to the caller, as fast as the caller takes it: a chunk only while
 * the call is ready, so a slow client or network never piles the database up in the server's
 * memory. The archive is deleted when the stream ends, however it ends.
 */
final class BackupSender {
    private static final Logger LOG = Logger.getLogger(BackupSender.class.getName());
    /** Well under every client's default 4 MiB message limit. */
    static final int CHUNK = 256 * 1024;

    private final ServerCallStreamObserver<BackupChunk> out;
    private final Path archive;
    private final long startNanos;
    private final MessageDigest sha256;
    private FileChannel file;
    private long sent;
    private boolean ended;

    BackupSender(ServerCallStreamObserver<BackupChunk> out, Path archive, long startNanos) {
        this.out = out;
        this.archive = archive;
        this.startNanos = startNanos;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    synchronized void open() {
        if (ended) {
            end(); // cancelled while the archive was being made
            return;
        }
        try {
            file = FileChannel.open(archive);
        } catch (IOException e) {
            error("cannot read the archive: " + e.getMessage());
            return;
        }
        pump();
    }

    synchronized void pump() {
        if (file == null || ended) {
            return;
        }
        try {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            while (out.isReady() && !ended) {
                buf.clear();
                int n = file.read(buf);
                if (n < 0) {
                    out.onNext(BackupChunk.newBuilder().setDone(BackupDone.newBuilder().setBytes(sent)
                            .setSha256(ByteString.copyFrom(sha256.digest()))
                            .setMillis((System.nanoTime() - startNanos) / 1_000_000)).build());
                    out.onCompleted();
                    end();
                    return;
                }
                buf.flip();
                sha256.update(buf.array(), 0, n);
                sent += n;
                out.onNext(BackupChunk.newBuilder().setData(ByteString.copyFrom(buf.array(), 0, n)).build());
            }
        } catch (IOException e) {
            error("reading the archive failed after " + sent + " bytes: " + e.getMessage());
        }
    }

    synchronized void cancelled() {
        if (!ended) {
            LOG.info("backup stream cancelled by the caller after " + sent + " bytes");
        }
        end();
    }

    private void error(String why) {
        LOG.warning(why);
        if (!ended) {
            end();
            out.onError(Status.INTERNAL.withDescription(why).asRuntimeException());
        }
    }

    private void end() {
        ended = true;
        try {
            if (file != null) {
                file.close();
            }
            Files.deleteIfExists(archive);
        } catch (IOException e) {
            // removed at the next start
        }
    }
}
