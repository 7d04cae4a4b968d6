package ctfleet.agent.ship;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * On-disk framing of one spooled record: {@code int length | int crc | long seq | payload}, big
 * endian. The CRC covers seq and payload, so a torn or garbage tail left by a crash fails the
 * check instead of being replayed. CRC32C rather than CRC32: same strength for this job, and the
 * JDK computes it with the CPU's crc32 instruction.
 */
final class Frames {
    static final int HEADER_BYTES = 4 + 4 + 8;

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
        frame.putInt(payload.length).putInt(crc(seq, payload)).putLong(seq).put(payload);
        return frame.flip();
    }

    static int crc(long seq, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, seq));
        crc.update(payload);
        return (int) crc.getValue();
    }
}
