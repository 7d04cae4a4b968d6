package ctfleet.agent.ship;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads frames forward from one segment file with positional reads through a small window, so
 * neither the writer's channel position nor one syscall per header is involved.
 *
 * <p>A frame that is torn, fails its checksum or does not continue the sequence is not the end:
 * the reader resynchronises on the next offset that holds a valid frame (a marked frame is found
 * by its marker; a legacy one, written before markers existed, by a length that fits, a seq that
 * continues the sequence and its checksum) and records the bytes it skipped as a {@link Skip}.
 * A frame is valid only with its checksum, and its seq must be above the last good one and within
 * as many frames as could fit in the bytes skipped, so garbage that happens to contain a marker is
 * not taken for a record.
 */
final class FrameReader {
    /** One good frame in bytes [offset, end). */
    record Frame(long seq, byte[] payload, long offset, long end) {
    }

    /** Bytes [from, to) of the segment that hold no valid frame. */
    record Skip(long from, long to) {
    }

    private static final int WINDOW_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final long limit;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart;
    private int windowLength;
    private long position;
    private long lastSeq;
    private long lastGoodEnd;
    private final List<Skip> skips = new ArrayList<>();
    private final Map<Long, Long> known;

    /**
     * Reads frames in [position, limit) of the channel.
     *
     * @param afterSeq every frame read has a seq above this (the segment's base - 1, or the seq of
     *                 the frame that ends at {@code position})
     */
    FrameReader(FileChannel channel, long position, long limit, long afterSeq) {
        this(channel, position, limit, afterSeq, Map.of());
    }

    /**
     * @param known damaged stretches found before (start offset to end offset): jumped over
     *              without scanning them again and without reporting them as new skips
     */
    FrameReader(FileChannel channel, long position, long limit, long afterSeq, Map<Long, Long> known) {
        this.known = known;
        this.channel = channel;
        this.position = position;
        this.limit = limit;
        this.lastSeq = afterSeq;
        this.lastGoodEnd = position;
    }

    /** The next good frame, skipping damaged bytes; null at the end. */
    Frame next() throws IOException {
        Long jump = known.get(position);
        if (jump != null) {
            position = jump;
        }
        if (position >= limit) {
            return null;
        }
        Frame f = frameAt(position);
        if (f == null) {
            f = resync(position + 1);
            skips.add(new Skip(position, f == null ? limit : f.offset()));
            if (f == null) {
                position = limit;
                return null;
            }
        }
        position = f.end();
        lastGoodEnd = f.end();
        lastSeq = f.seq();
        return f;
    }

    /** Offset just past the last good frame returned (the starting position when none was). */
    long lastGoodEnd() {
        return lastGoodEnd;
    }

    /** The damaged stretches met so far, in file order. */
    List<Skip> skips() {
        return skips;
    }

    private Frame resync(long from) throws IOException {
        for (long p = from; limit - p >= Frames.LEGACY_HEADER_BYTES; p++) {
            Frame f = frameAt(p);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** The valid frame starting at {@code p}, or null. Cheap checks on the header first: this runs at every offset of a damaged stretch. */
    private Frame frameAt(long p) throws IOException {
        long room = limit - p;
        if (room < Frames.LEGACY_HEADER_BYTES) {
            return null;
        }
        int at = ensure(p, (int) Math.min(Frames.HEADER_BYTES, room));
        int first = window.getInt(at);
        int length;
        long seq;
        int crc;
        int header;
        if (first == Frames.MARKER) {
            if (room < Frames.HEADER_BYTES) {
                return null;
            }
            header = Frames.HEADER_BYTES;
            length = window.getInt(at + 4);
            seq = window.getLong(at + 8);
            crc = window.getInt(at + 16);
        } else {
            header = Frames.LEGACY_HEADER_BYTES;
            length = first;
            crc = window.getInt(at + 4);
            seq = window.getLong(at + 8);
        }
        if (length < 0 || length > room - header || !continuesSequence(p, seq)) {
            return null;
        }
        byte[] payload = read(p + header, length);
        int actual = header == Frames.HEADER_BYTES ? Frames.crc(length, seq, payload) : Frames.legacyCrc(seq, payload);
        return actual == crc ? new Frame(seq, payload, p, p + header + length) : null;
    }

    /** Above the last good seq, and at most one more than the frames that could hide in the bytes since it. */
    private boolean continuesSequence(long p, long seq) {
        long mostSkipped = (p - lastGoodEnd) / Frames.LEGACY_HEADER_BYTES;
        return seq > lastSeq && seq - lastSeq <= mostSkipped + 1;
    }

    /** Makes the window hold [offset, offset + length); returns offset's index in it. */
    private int ensure(long offset, int length) throws IOException {
        if (offset < windowStart || offset + length > windowStart + windowLength) {
            window.clear();
            window.limit((int) Math.min(WINDOW_BYTES, limit - offset));
            readFully(window, offset);
            windowStart = offset;
            windowLength = window.position();
        }
        return (int) (offset - windowStart);
    }

    private byte[] read(long offset, int length) throws IOException {
        byte[] out = new byte[length];
        if (length > WINDOW_BYTES) {
            readFully(ByteBuffer.wrap(out), offset);
            return out;
        }
        window.get(ensure(offset, length), out);
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
