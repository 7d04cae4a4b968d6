package ctfleet.agent.ship;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads frames forward from one segment file with positional reads through a small window, so
 * neither the writer's channel position nor one syscall per header is involved. Stops at the
 * first frame that is incomplete or fails its CRC and reports that as {@link #corrupt()}.
 */
final class FrameReader {
    record Frame(long seq, byte[] payload) {
    }

    private static final int WINDOW_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final long limit;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart;
    private int windowLength;
    private long position;
    private boolean corrupt;

    /** Reads frames in [position, limit) of the channel. */
    FrameReader(FileChannel channel, long position, long limit) {
        this.channel = channel;
        this.position = position;
        this.limit = limit;
    }

    /** The next good frame, or null at the end or at the first bad frame. */
    Frame next() throws IOException {
        if (corrupt || position >= limit) {
            return null;
        }
        if (limit - position < Frames.HEADER_BYTES) {
            corrupt = true;
            return null;
        }
        ByteBuffer header = ByteBuffer.wrap(read(position, Frames.HEADER_BYTES));
        int length = header.getInt();
        int crc = header.getInt();
        long seq = header.getLong();
        if (length < 0 || length > limit - position - Frames.HEADER_BYTES) {
            corrupt = true;
            return null;
        }
        byte[] payload = read(position + Frames.HEADER_BYTES, length);
        if (Frames.crc(seq, payload) != crc) {
            corrupt = true;
            return null;
        }
        position += Frames.frameBytes(length);
        return new Frame(seq, payload);
    }

    /** Offset just past the last good frame returned. */
    long position() {
        return position;
    }

    /** True when reading stopped at a frame that is truncated or fails its CRC. */
    boolean corrupt() {
        return corrupt;
    }

    private byte[] read(long offset, int length) throws IOException {
        byte[] out = new byte[length];
        if (length > WINDOW_BYTES) {
            readFully(ByteBuffer.wrap(out), offset);
            return out;
        }
        if (offset < windowStart || offset + length > windowStart + windowLength) {
            window.clear();
            window.limit((int) Math.min(WINDOW_BYTES, limit - offset));
            readFully(window, offset);
            windowStart = offset;
            windowLength = window.position();
        }
        window.get((int) (offset - windowStart), out);
        return out;
    }

    private void readFully(ByteBuffer into, long offset) throws IOException {
        long at = offset;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new IOException("segment shrank while reading at offset " + at);
            }
            at += n;
        }
    }
}
