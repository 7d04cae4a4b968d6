package ctfleet.agent.ship;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One spool file holding the contiguous records {@code baseSeq .. lastSeq()}. Named after its
 * base so that listing the directory orders segments, and so that dropping or acknowledging a
 * whole segment is one unlink rather than a rewrite.
 */
final class Segment {
    private static final System.Logger LOG = System.getLogger(Segment.class.getName());
    private static final Pattern NAME = Pattern.compile("seg-(\\d{20})\\.seg");

    final long baseSeq;
    final Path path;
    private long size;
    private long count;
    private FileChannel writer;

    private Segment(long baseSeq, Path path, long size, long count) {
        this.baseSeq = baseSeq;
        this.path = path;
        this.size = size;
        this.count = count;
    }

    /** What opening a segment found: the segment and how many bytes of bad tail it cut off. */
    record Recovered(Segment segment, long discardedBytes) {
    }

    static String fileName(long baseSeq) {
        return String.format("seg-%020d.seg", baseSeq);
    }

    static OptionalLong parseBase(String fileName) {
        Matcher m = NAME.matcher(fileName);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    static Segment create(Path dir, long baseSeq) throws IOException {
        Segment s = new Segment(baseSeq, dir.resolve(fileName(baseSeq)), 0, 0);
        s.writer = FileChannel.open(s.path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return s;
    }

    /**
     * Scans every frame; at the first one that is torn, fails its CRC or breaks the sequence
     * (a crash mid-write, or garbage), truncates the file there and keeps everything before.
     */
    static Recovered recover(Path path, long baseSeq) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long fileSize = ch.size();
            FrameReader reader = new FrameReader(ch, 0, fileSize);
            long count = 0;
            long valid = 0;
            FrameReader.Frame frame;
            while ((frame = reader.next()) != null && frame.seq() == baseSeq + count) {
                count++;
                valid = reader.position();
            }
            if (valid < fileSize) {
                ch.truncate(valid);
                ch.force(true);
            }
            return new Recovered(new Segment(baseSeq, path, valid, count), fileSize - valid);
        }
    }

    /** Continues writing at the end of a recovered segment. */
    void openForAppend() throws IOException {
        writer = FileChannel.open(path, StandardOpenOption.WRITE);
    }

    long size() {
        return size;
    }

    long count() {
        return count;
    }

    /** baseSeq - 1 when empty. */
    long lastSeq() {
        return baseSeq + count - 1;
    }

    /** Records in this segment with seq above {@code seq}. */
    long countAfter(long seq) {
        return Math.max(0, lastSeq() - Math.max(seq, baseSeq - 1));
    }

    boolean writable() {
        return writer != null;
    }

    /** Writes one frame; returns the buffer used, for the caller to reuse next time. */
    ByteBuffer append(long seq, byte[] payload, ByteBuffer scratch) throws IOException {
        if (seq != baseSeq + count) {
            throw new IllegalStateException("segment " + baseSeq + " expects seq " + (baseSeq + count) + ", got " + seq);
        }
        ByteBuffer frame = Frames.encode(seq, payload, scratch);
        long at = size;
        try {
            while (frame.hasRemaining()) {
                at += writer.write(frame, at);
            }
        } catch (IOException e) {
            // A half-written frame would hide every later record from recovery: cut it off.
            try {
                writer.truncate(size);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        size = at;
        count++;
        return frame;
    }

    void force() throws IOException {
        writer.force(false);
    }

    /** Makes the segment durable and read-only; it stays on disk until acknowledged or dropped. */
    void seal() throws IOException {
        if (writer == null) {
            return;
        }
        writer.force(false);
        closeWriter();
    }

    void closeWriter() throws IOException {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    /**
     * Appends up to {@code max} records with seq at or above {@code fromSeq} to {@code out},
     * starting at {@code offset}, which must be a frame boundary. Returns the offset after the
     * last record returned, for the caller to resume from.
     */
    long read(long offset, long fromSeq, int max, List<Spool.Entry> out) throws IOException {
        long end = offset;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            FrameReader reader = new FrameReader(ch, offset, size);
            int taken = 0;
            FrameReader.Frame frame;
            while (taken < max && (frame = reader.next()) != null) {
                if (frame.seq() >= fromSeq) {
                    out.add(new Spool.Entry(frame.seq(), frame.payload()));
                    taken++;
                }
                end = reader.position();
            }
            if (reader.corrupt()) {
                // Damaged after open (it was checked then). Failing here would stall shipping
                // for good; skipping to the next segment loses only this segment's tail.
                LOG.log(System.Logger.Level.WARNING, "spool segment {0} is corrupt at offset {1}; skipping its rest",
                        path, reader.position());
            }
        }
        return end;
    }

    void delete() throws IOException {
        closeWriter();
        Files.deleteIfExists(path);
    }
}
