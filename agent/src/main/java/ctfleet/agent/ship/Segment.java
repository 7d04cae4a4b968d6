package ctfleet.agent.ship;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One spool file holding records with increasing seqs from {@code baseSeq} to {@link #lastSeq()}.
 * Named after its base so that listing the directory orders segments, and so that dropping or
 * acknowledging a whole segment is one unlink rather than a rewrite.
 *
 * <p>Records are written with consecutive seqs, so a seq missing between two good frames was in
 * a damaged frame: such lost seqs are kept as {@link #gaps()} and never counted as pending.
 */
final class Segment {
    private static final Pattern NAME = Pattern.compile("seg-(\\d{20})\\.seg");

    final long baseSeq;
    final Path path;
    private long size;
    private long count;
    private long lastSeq;
    /** Seq ranges [from, to] lost to damaged frames between this segment's good ones, oldest first. */
    private final List<SeqRange> gaps = new ArrayList<>();
    /** Damaged byte ranges already found and reported: start offset to end offset. */
    private final TreeMap<Long, Long> knownDamage = new TreeMap<>();
    private FileChannel writer;

    private Segment(long baseSeq, Path path, long size, long count, long lastSeq) {
        this.baseSeq = baseSeq;
        this.path = path;
        this.size = size;
        this.count = count;
        this.lastSeq = lastSeq;
    }

    /**
     * A damaged stretch of a segment: bytes [fromByte, toByte) held no valid frame, and the
     * records with seqs firstLost..lastLost went with them (none when lastLost < firstLost; a
     * torn tail's seqs are unknown, {@code lastLost} is then -1 and {@code markers} says how many
     * frames had started there).
     */
    record Damage(long fromByte, long toByte, long firstLost, long lastLost, int markers) {
        SeqRange lost() {
            return new SeqRange(firstLost, lastLost);
        }
    }

    /** What opening a segment found: the segment, the damage inside it, and its bad tail (cut off the file). */
    record Recovered(Segment segment, List<Damage> damage, Damage tail) {
    }

    static String fileName(long baseSeq) {
        return String.format("seg-%020d.seg", baseSeq);
    }

    static OptionalLong parseBase(String fileName) {
        Matcher m = NAME.matcher(fileName);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    static Segment create(Path dir, long baseSeq) throws IOException {
        Segment s = new Segment(baseSeq, dir.resolve(fileName(baseSeq)), 0, 0, baseSeq - 1);
        s.writer = FileChannel.open(s.path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return s;
    }

    /**
     * Scans every frame, skipping damaged stretches (see {@link FrameReader}). A bad stretch at the
     * end of the file (a crash mid-write, garbage, zeros) is cut off so that appends can continue
     * after the last good frame; damage between good frames stays in the file and is skipped on
     * every read, its lost seqs kept as gaps.
     */
    static Recovered recover(Path path, long baseSeq) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long fileSize = ch.size();
            FrameReader reader = new FrameReader(ch, 0, fileSize, baseSeq - 1);
            List<FrameReader.Frame> frames = new ArrayList<>();
            FrameReader.Frame frame;
            while ((frame = reader.next()) != null) {
                frames.add(frame);
            }
            long valid = reader.lastGoodEnd();
            Segment s = new Segment(baseSeq, path, valid, frames.size(),
                    frames.isEmpty() ? baseSeq - 1 : frames.get(frames.size() - 1).seq());
            List<Damage> damage = new ArrayList<>();
            Damage tail = null;
            for (FrameReader.Skip skip : reader.skips()) {
                if (skip.to() >= fileSize && skip.from() >= valid) {
                    tail = new Damage(skip.from(), skip.to(), s.lastSeq + 1, -1, markers(ch, skip.from(), skip.to()));
                    continue;
                }
                long before = baseSeq - 1;
                long after = s.lastSeq + 1;
                for (FrameReader.Frame f : frames) {
                    if (f.end() <= skip.from()) {
                        before = f.seq();
                    } else {
                        after = f.seq();
                        break;
                    }
                }
                Damage d = new Damage(skip.from(), skip.to(), before + 1, after - 1, 0);
                damage.add(d);
                s.knownDamage.put(skip.from(), skip.to());
                if (d.lost().size() > 0) {
                    s.gaps.add(d.lost());
                }
            }
            if (valid < fileSize) {
                ch.truncate(valid);
                ch.force(true);
            }
            return new Recovered(s, damage, tail);
        }
    }

    /** How many frame markers the bytes [from, to) hold: the frames a torn tail had started. */
    private static int markers(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(to - from, Spool.MAX_SEGMENT_BYTES));
        while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
            // read what is there
        }
        int n = 0;
        for (int i = 0; i + Integer.BYTES <= b.position(); i++) {
            if (b.getInt(i) == Frames.MARKER) {
                n++;
            }
        }
        return n;
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

    /** The newest good record's seq; baseSeq - 1 when empty. */
    long lastSeq() {
        return lastSeq;
    }

    /** Seq ranges lost to damage between this segment's good records. */
    List<SeqRange> gaps() {
        return gaps;
    }

    /** Records in this segment with seq above {@code seq}. */
    long countAfter(long seq) {
        long n = Math.max(0, lastSeq - Math.max(seq, baseSeq - 1));
        for (SeqRange g : gaps) {
            n -= g.countAbove(seq);
        }
        return Math.max(0, n);
    }

    boolean writable() {
        return writer != null;
    }

    /** Writes one frame; returns the buffer used, for the caller to reuse next time. */
    ByteBuffer append(long seq, byte[] payload, ByteBuffer scratch) throws IOException {
        if (seq <= lastSeq) {
            throw new IllegalStateException("segment " + baseSeq + " holds seq " + lastSeq + ", got " + seq);
        }
        ByteBuffer frame = Frames.encode(seq, payload, scratch);
        long at = size;
        try {
            while (frame.hasRemaining()) {
                at += writer.write(frame, at);
            }
        } catch (IOException e) {
            // A half-written frame would cost a resync on every read: cut it off.
            try {
                writer.truncate(size);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        size = at;
        count++;
        lastSeq = seq;
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
     * starting at {@code offset}, which must be a frame boundary after a record with seq
     * {@code afterSeq} (or the segment's start, with {@code baseSeq - 1}). Returns where to resume
     * and any damage not seen before (the file changed under the spool since it was opened): its
     * records are lost, and the caller counts them.
     */
    Read read(long offset, long afterSeq, long fromSeq, int max, List<Spool.Entry> out) throws IOException {
        long end = offset;
        List<Damage> found = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            FrameReader reader = new FrameReader(ch, offset, size, afterSeq, knownDamage);
            int taken = 0;
            int skipsSeen = 0;
            long prev = afterSeq;
            FrameReader.Frame frame;
            while (taken < max && (frame = reader.next()) != null) {
                skipsSeen = newDamage(reader, skipsSeen, prev, frame.seq(), found);
                prev = frame.seq();
                if (frame.seq() >= fromSeq) {
                    out.add(new Spool.Entry(frame.seq(), frame.payload()));
                    taken++;
                }
                end = frame.end();
            }
            newDamage(reader, skipsSeen, prev, lastSeq + 1, found);
        }
        return new Read(end, found);
    }

    /** Where a read stopped, and damage it met that was not known. */
    record Read(long end, List<Damage> damage) {
    }

    private int newDamage(FrameReader reader, int seen, long before, long after, List<Damage> found) {
        List<FrameReader.Skip> skips = reader.skips();
        for (int i = seen; i < skips.size(); i++) {
            FrameReader.Skip skip = skips.get(i);
            Damage d = new Damage(skip.from(), skip.to(), before + 1, after - 1, 0);
            knownDamage.put(skip.from(), skip.to());
            if (d.lost().size() > 0) {
                gaps.add(d.lost());
            }
            found.add(d);
        }
        return skips.size();
    }

    void delete() throws IOException {
        closeWriter();
        Files.deleteIfExists(path);
    }
}
