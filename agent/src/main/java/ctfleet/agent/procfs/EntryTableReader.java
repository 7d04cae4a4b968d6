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
 * being buffered. Not thread-safe: one reader per sampling thread, reused across ticks.
 */
public final class EntryTableReader {

    /**
     * One read(2) of procfs returns as much as fits, and nf_conntrack's seq_file restarts its walk
     * at each read; a large buffer keeps the syscalls (and restarts) few. cat uses 128 KiB.
     */
    public static final int BUFFER_SIZE = 128 * 1024;
    public static final int MAX_LINE = 16 * 1024;

    private final EntryParser parser;
    private final byte[] buf = new byte[BUFFER_SIZE];

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
        return read(file, lines, listener);
    }

    /** Reads every line of the file. */
    public ReadSummary fullScan(Path file, EntryListener listener) throws IOException {
        return read(file, Long.MAX_VALUE, listener);
    }

    private ReadSummary read(Path file, long maxLines, EntryListener listener) throws IOException {
        Counts counts = new Counts();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf);
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
                bb.limit(buf.length).position(limit);
                int n = channel.read(bb);
                if (n < 0) {
                    if (limit > 0 && !skipping) {
                        line(0, limit, listener, counts); // last line without a newline
                    }
                    return counts.summary(true);
                }
                limit += n;
            }
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
        EntryParser.Result r = parser.parse(buf, off, len);
        if (r instanceof EntryParser.Parsed p) {
            counts.lines++;
            counts.entries++;
            listener.onEntry(p.entry(), buf, off, len);
        } else {
            String reason = ((EntryParser.Malformed) r).reason();
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
