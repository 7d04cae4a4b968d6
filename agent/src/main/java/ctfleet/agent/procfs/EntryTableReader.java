package ctfleet.agent.procfs;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Streams {@code /proc/net/nf_conntrack} through a reused buffer into an {@link EntryParser} and
 * an {@link EntryListener}: either the first {@code n} lines ({@link #sample}) or every line
 * ({@link #fullScan}). Memory stays constant whatever the table size; the file is never loaded.
 *
 * <p>Why a sample is usually enough: printing the table costs kernel time (0.44 s for 262k
 * entries), and the kernel walks the table in hash-bucket order with a randomly keyed hash, so the
 * head of the file is close to a uniform sample. A sample stops reading and closes the file after
 * {@code n} lines, which is what saves the kernel from printing the rest.
 *
 * <p>A bad line never stops the read: it is counted and skipped. A line longer than
 * {@link #MAX_LINE} bytes (real lines are under 600) is counted as malformed and skipped without
 * being buffered. Not thread-safe: one reader per sampling thread, reused across ticks (a full
 * scan's helper thread lives only as long as that scan).
 */
public final class EntryTableReader {

    /**
     * Room for many lines per read. On procfs it hardly matters: seq_file fills one page per
     * read(2) whatever the request (strace of cat on a 262k table: ~10k reads of ~4 KiB), and
     * nf_conntrack resumes its walk where the previous read stopped. On a regular file (a
     * fixture, a copy of the table) large reads do save syscalls.
     */
    public static final int BUFFER_SIZE = 128 * 1024;
    public static final int MAX_LINE = 16 * 1024;

    /**
     * 4 x 64 KiB: a chunk is 16 of procfs's one-page reads, so hand-overs are few; the last chunk
     * is parsed after the kernel is done, so chunks much larger would show in the wall time.
     */
    static final int READ_AHEAD_CHUNK = 64 * 1024;
    static final int READ_AHEAD_CHUNKS = 4;

    private final EntryParser parser;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private ByteBuffer[] ring; // allocated on the first full scan: an agent that only samples never pays

    public EntryTableReader() {
        this(new EntryParser());
    }

    public EntryTableReader(EntryParser parser) {
        this.parser = parser;
    }

    /** Reads the first {@code lines} lines of the file (all of it if shorter). */
    public ReadSummary sample(Path file, long lines, EntryListener listener) throws IOException {
        if (lines <= 0) {
            throw new IllegalArgumentException("sample size must be positive: " + lines);
        }
        // On this thread: a sample is a few reads, not worth a hand-over.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf);
            return read((dst, off, len) -> channel.read(bb.limit(off + len).position(off)), lines, listener);
        }
    }

    /**
     * Reads every line of the file. The file is read on a helper thread while this one parses,
     * through {@link #READ_AHEAD_CHUNKS} reused buffers of {@link #READ_AHEAD_CHUNK} bytes.
     */
    public ReadSummary fullScan(Path file, EntryListener listener) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ReadAhead ahead = new ReadAhead(channel, ring())) {
            return read(ahead::read, Long.MAX_VALUE, listener);
        }
    }

    private ByteBuffer[] ring() {
        if (ring == null) {
            ring = new ByteBuffer[READ_AHEAD_CHUNKS];
            for (int i = 0; i < ring.length; i++) {
                ring[i] = ByteBuffer.allocateDirect(READ_AHEAD_CHUNK); // read(2) lands in it, no copy
            }
        }
        return ring;
    }

    /** Fills dst[off, off + len) with the next bytes of the file; -1 at its end. */
    @FunctionalInterface
    private interface Source {
        int read(byte[] dst, int off, int len) throws IOException;
    }

    private ReadSummary read(Source source, long maxLines, EntryListener listener) throws IOException {
        Counts counts = new Counts();
        int start = 0; // first byte of the current (incomplete) line
        int limit = 0; // end of valid bytes
        int scan = 0; // where the newline search resumes
        boolean skipping = false; // inside an over-long line already counted
        while (true) {
            for (int i = indexOfNewline(buf, scan, limit); i >= 0; i = indexOfNewline(buf, i + 1, limit)) {
                if (skipping) {
                    skipping = false;
                } else {
                    line(start, i - start, listener, counts);
                    if (counts.lines >= maxLines) {
                        return counts.summary(false);
                    }
                }
                start = i + 1;
            }
            if (!skipping && limit - start >= MAX_LINE) {
                counts.malformed("line longer than " + MAX_LINE + " bytes");
                listener.onMalformed(buf, start, Math.min(limit - start, 256), "line too long");
                skipping = true;
                if (counts.lines >= maxLines) {
                    return counts.summary(false);
                }
            }
            if (skipping) {
                start = limit;
            }
            // Keep the incomplete line at the front; what follows is free for the next read.
            int carry = limit - start;
            System.arraycopy(buf, start, buf, 0, carry);
            start = 0;
            limit = carry;
            scan = carry;
            int n = source.read(buf, limit, buf.length - limit);
            if (n < 0) {
                if (limit > 0 && !skipping) {
                    line(0, limit, listener, counts); // last line without a newline
                }
                return counts.summary(true);
            }
            limit += n;
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The first '\n' in b[from, to), or -1. Eight bytes per step ("has a zero byte" on the word
     * XOR newlines, Hacker's Delight 6-1): this scan touches every byte of the table, and C2 does
     * not vectorise a byte loop that exits early.
     */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(b, i) ^ NEWLINES;
            long zeroBytes = (w - ONES) & ~w & HIGHS;
            if (zeroBytes != 0) {
                return i + (Long.numberOfTrailingZeros(zeroBytes) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void line(int off, int len, EntryListener listener, Counts counts) {
        if (len == 0) {
            counts.malformed("empty line");
            listener.onMalformed(buf, off, 0, "empty line");
            return;
        }
        if (len > MAX_LINE) {
            counts.malformed("line longer than " + MAX_LINE + " bytes");
            listener.onMalformed(buf, off, 256, "line too long");
            return;
        }
        if (parser.scan(buf, off, len)) {
            counts.lines++;
            counts.entries++;
            listener.onParsed(parser.entry(), buf, off, len);
        } else {
            String reason = parser.reason();
            counts.malformed(reason);
            listener.onMalformed(buf, off, len, reason);
        }
    }

    private static final class Counts {
        long lines;
        long entries;
        long errors;
        String firstError;

        void malformed(String reason) {
            lines++;
            errors++;
            if (firstError == null) {
                firstError = "line " + lines + ": " + reason;
            }
        }

        ReadSummary summary(boolean wholeTable) {
            return new ReadSummary(lines, entries, errors, wholeTable, Optional.ofNullable(firstError));
        }
    }
}
