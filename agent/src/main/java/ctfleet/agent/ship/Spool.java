package ctfleet.agent.ship;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Durable FIFO of serialized samples between the sampler (append) and the shipper (readFrom, ack),
 * so a server outage or an agent restart loses nothing until the disk budget runs out.
 *
 * <p>Records get increasing sequence numbers that continue across restarts. The directory holds
 * segment files of framed records (see {@link Frames}), a {@code state} file with the
 * acknowledged position and the unreported drop count, and a {@code lock} file that keeps a second
 * agent out.
 *
 * <p>Damage: a frame that is torn or fails its checksum costs that frame only. Opening the spool
 * scans every segment; reads skip damaged stretches and resynchronise on the next valid frame
 * (see {@link FrameReader}). The records lost with them count as dropped, are reported to the
 * server in the next hello like records dropped for space, and are logged with the segment and
 * byte offsets. Which lost seqs were counted is kept in the state file, so damage that stays in a
 * segment is counted once.
 *
 * <p>Durability: appends reach the disk on {@link #sync()}, which the agent calls from a 1 s timer;
 * an append that finds the last sync more than a second old also syncs, so a steady stream of
 * samples is never more than about a second from disk even without the timer. A crash loses at
 * most that last second; the torn tail it may leave is cut off on the next open.
 *
 * <p>Acknowledgements are kept in memory and persisted on sync and before any segment is deleted,
 * so after a crash up to a second of already-acknowledged records can be replayed. That is
 * harmless: the server is idempotent on (host, timestamp) and answers them with duplicate acks.
 * For the same reason a sequence number lost in a crash (written, never synced) may be reused.
 *
 * <p>Thread safety: every public method is synchronized; the sampler and the shipper share one
 * instance. Nothing here touches the network. An append is one positional write; fsyncs (the
 * segments rolled over since the last sync, the active one, the directory) happen only in the
 * once-a-second sync, never per record or per segment.
 */
public final class Spool implements Outbox {
    /** The agent's default disk budget. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    static final long MAX_SEGMENT_BYTES = 4L << 20;
    private static final long SYNC_INTERVAL_NANOS = 1_000_000_000L;
    private static final String LOCK_FILE = "lock";
    private static final System.Logger LOG = System.getLogger(Spool.class.getName());

    /** One spooled record and the sequence number the spool gave it. */
    public record Entry(long seq, byte[] record) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** By base seq, oldest first; the last one is the active segment. */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private Segment active;
    private long nextSeq;
    private long ackedSeq;
    private long dropped;
    /** Lost seqs already counted in {@link #dropped}: disjoint, only those above ackedSeq matter. */
    private final List<SeqRange> lostCounted = new ArrayList<>();
    private long totalBytes;
    private boolean activeDirty;
    private ByteBuffer scratch = ByteBuffer.allocateDirect(8 * 1024);
    /** Rolled over since the last sync: forced then, not on the append path. */
    private final List<Segment> sealedUnsynced = new ArrayList<>();
    private boolean directoryDirty;
    private boolean stateDirty;
    private long lastSyncNanos = System.nanoTime();
    /** Where the last readFrom stopped, so sequential replay does not rescan a segment. */
    private Segment cursorSegment;
    private long cursorOffset;
    private long cursorSeq;
    private boolean closed;

    private Spool(Path dir, long maxBytes, long segmentBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static Spool open(Path dir) throws IOException {
        return open(dir, DEFAULT_MAX_BYTES);
    }

    /**
     * Opens or creates the spool in {@code dir} (created 0700: samples describe the host's
     * traffic), recovering from any crash, and drops the oldest records if it holds more than
     * {@code maxBytes} of segment files (the budget may have shrunk since the last run).
     */
    public static Spool open(Path dir, long maxBytes) throws IOException {
        // Sixteen segments per budget: dropping the oldest one frees a sixteenth at a time.
        return open(dir, maxBytes, Math.max(1, Math.min(MAX_SEGMENT_BYTES, maxBytes / 16)));
    }

    static Spool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
        if (maxBytes <= Frames.HEADER_BYTES) {
            throw new IllegalArgumentException("spool maxBytes must exceed " + Frames.HEADER_BYTES + ", got " + maxBytes);
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("spool directory " + dir + " is in use by another agent");
        }
        Spool spool = new Spool(dir, maxBytes, segmentBytes, lockChannel, lock);
        try {
            spool.recover();
        } catch (IOException | RuntimeException e) {
            spool.releaseLock();
            throw e;
        }
        return spool;
    }

    private void recover() throws IOException {
        Files.deleteIfExists(dir.resolve(SpoolState.TEMP_FILE));
        SpoolState state = SpoolState.read(dir).orElseGet(() -> {
            // Replaying from the start is the safe direction: the server drops duplicates.
            LOG.log(System.Logger.Level.WARNING, "spool state in {0} is unreadable; replaying everything spooled", dir);
            return SpoolState.EMPTY;
        });
        ackedSeq = state.ackedSeq();
        dropped = state.dropped();
        lostCounted.addAll(state.lost());
        long droppedBefore = dropped;
        long lastSeq = ackedSeq;
        List<Segment.Recovered> found = new ArrayList<>();
        for (Path file : segmentFiles()) {
            found.add(Segment.recover(file, Segment.parseBase(file.getFileName().toString()).orElseThrow()));
        }
        for (int i = 0; i < found.size(); i++) {
            Segment.Recovered r = found.get(i);
            Segment s = r.segment();
            for (Segment.Damage d : r.damage()) {
                countDamage(s, d);
            }
            Segment.Damage tail = r.tail();
            if (i + 1 < found.size()) {
                // Segments hold consecutive seqs: what this one lacks below the next one's base was in
                // its bad tail (or it was garbage through and through).
                long nextBase = found.get(i + 1).segment().baseSeq;
                countDamage(s, new Segment.Damage(tail == null ? s.size() : tail.fromByte(),
                        tail == null ? s.size() : tail.toByte(), s.lastSeq() + 1, nextBase - 1, 0));
            } else if (tail != null) {
                countTornTail(s, tail);
            }
            if (s.count() == 0 || s.lastSeq() <= ackedSeq) {
                s.delete();
                continue;
            }
            segments.put(s.baseSeq, s);
            totalBytes += s.size();
            lastSeq = Math.max(lastSeq, s.lastSeq());
        }
        if (dropped != droppedBefore) {
            writeState(); // counted once: a restart before the next sync must not count it again
        }
        nextSeq = lastSeq + 1;
        Map.Entry<Long, Segment> last = segments.lastEntry();
        if (last != null && last.getValue().lastSeq() == lastSeq && last.getValue().size() < segmentBytes) {
            active = last.getValue();
            active.openForAppend();
        } else {
            startSegment();
        }
        while (totalBytes > maxBytes) {
            dropOldest();
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Segment.parseBase(p.getFileName().toString()).isPresent()).sorted().toList();
        }
    }

    /**
     * Adds a record and returns its sequence number, dropping the oldest segments first if the
     * record would not fit in the budget.
     *
     * @throws IllegalArgumentException if the record alone exceeds the budget
     */
    public synchronized long append(byte[] record) throws IOException {
        ensureOpen();
        long frameBytes = Frames.frameBytes(record.length);
        if (frameBytes > maxBytes) {
            throw new IllegalArgumentException("record of " + record.length + " bytes exceeds the spool budget of " + maxBytes);
        }
        if (active.size() > 0 && active.size() + frameBytes > segmentBytes) {
            sealedUnsynced.add(active);
            startSegment();
        }
        while (totalBytes + frameBytes > maxBytes) {
            dropOldest();
        }
        long seq = nextSeq;
        scratch = active.append(seq, record, scratch);
        nextSeq++;
        totalBytes += frameBytes;
        activeDirty = true;
        if (System.nanoTime() - lastSyncNanos >= SYNC_INTERVAL_NANOS) {
            try {
                syncLocked();
            } catch (IOException e) {
                // The record is stored; an exception would tell the sampler otherwise. The next
                // sync (timer or append) tries again.
                lastSyncNanos = System.nanoTime();
                LOG.log(System.Logger.Level.WARNING, "spool sync failed in " + dir + ": " + e.getMessage());
            }
        }
        return seq;
    }

    /**
     * Up to {@code maxRecords} unacknowledged records with seq above {@code afterSeq}, oldest
     * first. Records dropped for space are skipped, so the seqs may jump.
     */
    public synchronized List<Entry> readFrom(long afterSeq, int maxRecords) throws IOException {
        ensureOpen();
        List<Entry> out = new ArrayList<>();
        long from = Math.max(afterSeq, ackedSeq) + 1;
        if (maxRecords <= 0 || from >= nextSeq) {
            return out;
        }
        boolean resume = cursorSegment != null && segments.get(cursorSegment.baseSeq) == cursorSegment
                && cursorSeq <= from && from <= cursorSegment.lastSeq();
        Long startKey = resume ? Long.valueOf(cursorSegment.baseSeq) : segments.floorKey(from);
        Iterable<Segment> candidates = startKey == null ? segments.values() : segments.tailMap(startKey, true).values();
        for (Segment s : candidates) {
            if (out.size() >= maxRecords) {
                break;
            }
            if (s.lastSeq() < from) {
                continue;
            }
            boolean atCursor = s == cursorSegment && resume;
            int before = out.size();
            Segment.Read read = s.read(atCursor ? cursorOffset : 0, atCursor ? cursorSeq - 1 : s.baseSeq - 1, from,
                    maxRecords - out.size(), out);
            for (Segment.Damage d : read.damage()) {
                // Damaged since the spool was opened (it was checked then): skip it, count what it cost.
                countDamage(s, d);
                stateDirty = true;
            }
            // Only a record actually read tells which seq starts at `end`; otherwise forget it.
            cursorSegment = out.size() > before ? s : null;
            cursorOffset = read.end();
            cursorSeq = out.isEmpty() ? 0 : out.get(out.size() - 1).seq() + 1;
        }
        return out;
    }

    /**
     * Forgets every record up to and including {@code seq}; segments that hold nothing newer are
     * deleted. The position reaches the disk on the next sync (see the class comment).
     */
    public synchronized void ack(long seq) throws IOException {
        ensureOpen();
        long upTo = Math.min(seq, nextSeq - 1);
        if (upTo <= ackedSeq) {
            return;
        }
        ackedSeq = upTo;
        stateDirty = true;
        Map.Entry<Long, Segment> oldest;
        while ((oldest = segments.firstEntry()) != null && oldest.getValue() != active
                && oldest.getValue().lastSeq() <= ackedSeq) {
            if (stateDirty) {
                // Persist first: deleting the newest acknowledged records before the state says
                // they are acknowledged could let a restart hand out their seqs again.
                writeState();
            }
            remove(oldest.getValue());
        }
    }

    /** Records dropped for space since the count was last reported; survives restarts. */
    public synchronized long droppedUnreported() {
        return dropped;
    }

    /**
     * Subtracts {@code count} reported drops (what {@link #droppedUnreported()} returned when the
     * report was built), so drops that happened meanwhile are reported next time. Persisted now:
     * a restart must not report them twice.
     */
    public synchronized void markDropsReported(long count) throws IOException {
        ensureOpen();
        if (count <= 0) {
            return;
        }
        dropped = Math.max(0, dropped - count);
        writeState();
    }

    /** Forces appended records and the acknowledged position to disk. */
    public synchronized void sync() throws IOException {
        ensureOpen();
        syncLocked();
    }

    /** Records not yet acknowledged or dropped. */
    public synchronized long pending() {
        long n = 0;
        for (Segment s : segments.values()) {
            n += s.countAfter(ackedSeq);
        }
        return n;
    }

    /** Bytes of segment files on disk, acknowledged records included until their segment goes. */
    public synchronized long sizeBytes() {
        return totalBytes;
    }

    /** Highest seq forgotten, by acknowledgement or by a drop for space; 0 for a new spool. */
    public synchronized long ackedSeq() {
        return ackedSeq;
    }

    /** Seq of the newest record appended; {@link #ackedSeq()} or lower when none. */
    public synchronized long lastSeq() {
        return nextSeq - 1;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            syncLocked();
        } finally {
            closed = true;
            try {
                for (Segment s : sealedUnsynced) {
                    s.closeWriter();
                }
                active.closeWriter();
            } finally {
                releaseLock();
            }
        }
    }

    private void syncLocked() throws IOException {
        for (Segment s : sealedUnsynced) {
            s.seal();
        }
        sealedUnsynced.clear();
        if (directoryDirty) {
            // New segment names must be durable along with the records written into them.
            SpoolState.forceDirectory(dir);
            directoryDirty = false;
        }
        if (activeDirty) {
            active.force();
            activeDirty = false;
        }
        if (stateDirty) {
            writeState();
        }
        lastSyncNanos = System.nanoTime();
    }

    private void writeState() throws IOException {
        lostCounted.removeIf(r -> r.to() <= ackedSeq);
        new SpoolState(ackedSeq, dropped, lostCounted).write(dir);
        stateDirty = false;
    }

    /** Counts the records lost with a damaged stretch that were not acknowledged or counted before, and says so. */
    private void countDamage(Segment s, Segment.Damage d) {
        SeqRange lost = new SeqRange(Math.max(d.firstLost(), ackedSeq + 1), d.lastLost());
        long n = 0;
        for (SeqRange piece : uncounted(lost)) {
            lostCounted.add(piece);
            n += piece.size();
        }
        if (n > 0) {
            dropped += n;
            LOG.log(System.Logger.Level.WARNING, "spool segment {0}: bytes {1}..{2} are damaged: {3} samples lost"
                    + " (seq {4}..{5}), counted as dropped; the records after them are still delivered",
                    s.path, String.valueOf(d.fromByte()), String.valueOf(d.toByte()), String.valueOf(n),
                    String.valueOf(lost.from()), String.valueOf(lost.to()));
        }
    }

    /** The parts of {@code r} not in {@link #lostCounted}. */
    private List<SeqRange> uncounted(SeqRange r) {
        List<SeqRange> out = new ArrayList<>();
        if (r.size() == 0) {
            return out;
        }
        List<SeqRange> counted = new ArrayList<>(lostCounted);
        counted.sort(java.util.Comparator.comparingLong(SeqRange::from));
        long from = r.from();
        for (SeqRange c : counted) {
            if (c.to() < from || c.from() > r.to()) {
                continue;
            }
            if (c.from() > from) {
                out.add(new SeqRange(from, c.from() - 1));
            }
            from = Math.max(from, c.to() + 1);
        }
        if (from <= r.to()) {
            out.add(new SeqRange(from, r.to()));
        }
        return out;
    }

    /**
     * The newest segment's bad tail: its seqs were never known to anyone but the writer (they are
     * handed out again), so what it cost is the frames that had started there, by their markers.
     */
    private void countTornTail(Segment s, Segment.Damage tail) {
        long bytes = tail.toByte() - tail.fromByte();
        if (tail.markers() > 0) {
            dropped += tail.markers();
            LOG.log(System.Logger.Level.WARNING, "spool segment {0}: cut {1} bytes of torn tail at offset {2}"
                    + " (a write cut short by a crash): {3} samples lost, counted as dropped",
                    s.path, String.valueOf(bytes), String.valueOf(tail.fromByte()), String.valueOf(tail.markers()));
        } else {
            LOG.log(System.Logger.Level.WARNING, "spool segment {0}: cut {1} bytes of torn or zeroed tail at offset {2};"
                    + " no record had started there", s.path, String.valueOf(bytes), String.valueOf(tail.fromByte()));
        }
    }

    private void startSegment() throws IOException {
        active = Segment.create(dir, nextSeq);
        segments.put(nextSeq, active);
        directoryDirty = true;
    }

    /** Drops the oldest segment for space, counting the unacknowledged records it held. */
    private void dropOldest() throws IOException {
        Segment oldest = segments.firstEntry().getValue();
        long lost = oldest.countAfter(ackedSeq);
        dropped += lost;
        ackedSeq = Math.max(ackedSeq, oldest.lastSeq());
        // The count must outlive the records: persist it before the unlink.
        writeState();
        remove(oldest);
        if (lost > 0) {
            LOG.log(System.Logger.Level.WARNING, "spool over {0} bytes: dropped {1} oldest unsent samples (seq {2}..{3})",
                    String.valueOf(maxBytes), String.valueOf(lost), String.valueOf(oldest.lastSeq() - lost + 1),
                    String.valueOf(oldest.lastSeq()));
        }
        if (oldest == active) {
            startSegment();
        }
    }

    private void remove(Segment s) throws IOException {
        segments.remove(s.baseSeq);
        sealedUnsynced.remove(s);
        totalBytes -= s.size();
        s.delete();
        if (s == cursorSegment) {
            cursorSegment = null;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("spool " + dir + " is closed");
        }
    }

    private void releaseLock() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
