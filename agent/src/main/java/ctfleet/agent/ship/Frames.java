package ctfleet.agent.ship;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * On-disk framing of one spooled record, big endian:
 * {@code int MARKER | int length | long seq | int crc | payload}, the CRC over length, seq and
 * payload. The marker is what makes a damaged frame cost that frame only: a reader that meets a
 * frame failing its check looks for the next marker whose frame checks out, instead of giving up
 * on the rest of the segment (a 4 MiB segment holds thousands of samples).
 *
 * <p>Spools written before the marker ({@code int length | int crc | long seq | payload}, the
 * CRC over seq and payload: the "legacy" frame) are still read, frame by frame, in the same files:
 * a legacy length can never equal the marker (which is negative as an int), and each kind has its
 * own checksum, so neither is taken for the other. New records are always written with the marker.
 *
 * <p>CRC32C rather than CRC32: same strength for this job, and the JDK computes it with the CPU's
 * crc32 instruction.
 */
final class Frames {
    /** "ctfS" with the high bit set: negative as an int, so never a legacy frame's length. */
    static final int MARKER = 0xE3_74_66_53;
    static final int HEADER_BYTES = 4 + 4 + 8 + 4;
    static final int LEGACY_HEADER_BYTES = 4 + 4 + 8;

    private Frames() {
    }

    static long frameBytes(int payloadLength) {
        return (long) HEADER_BYTES + payloadLength;
    }

    static ByteBuffer encode(long seq, byte[] payload) {
        return encode(seq, payload, ByteBuffer.allocate(HEADER_BYTES + payload.length));
    }

    /**
     * Encodes into {@code into} if it is large enough, else into a new buffer; returns the
     * buffer holding the frame, flipped for writing. A reused direct buffer spares the JDK a
     * copy into its own temporary direct buffer on every write.
     */
    static ByteBuffer encode(long seq, byte[] payload, ByteBuffer into) {
        ByteBuffer frame = into.capacity() >= HEADER_BYTES + payload.length
                ? into.clear()
                : ByteBuffer.allocateDirect(Integer.highestOneBit(HEADER_BYTES + payload.length) * 2);
        frame.putInt(MARKER).putInt(payload.length).putLong(seq).putInt(crc(payload.length, seq, payload)).put(payload);
        return frame.flip();
    }

    /** The checksum of a marked frame: a flipped length or seq fails it as surely as a flipped payload byte. */
    static int crc(int length, long seq, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Integer.BYTES + Long.BYTES).putInt(0, length).putLong(Integer.BYTES, seq));
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** The checksum of a legacy frame. */
    static int legacyCrc(long seq, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, seq));
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** A legacy frame, for tests of reading spools written before the marker. */
    static ByteBuffer encodeLegacy(long seq, byte[] payload) {
        return ByteBuffer.allocate(LEGACY_HEADER_BYTES + payload.length)
                .putInt(payload.length).putInt(legacyCrc(seq, payload)).putLong(seq).put(payload).flip();
    }
}
