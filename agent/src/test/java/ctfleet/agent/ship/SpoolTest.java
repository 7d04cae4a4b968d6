package ctfleet.agent.ship;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path tmp;

    /** Distinct, checkable content per seq: a record can only match the seq it was written for. */
    private static byte[] record(long seq, int size) {
        byte[] b = new byte[size];
        byte[] tag = ("sample-" + seq + ";").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            b[i] = tag[i % tag.length];
        }
        return b;
    }

    private static List<Long> seqs(List<Spool.Entry> entries) {
        return entries.stream().map(Spool.Entry::seq).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        List<Long> out = new ArrayList<>();
        for (long s = fromInclusive; s <= toInclusive; s++) {
            out.add(s);
        }
        return out;
    }

    private static List<Spool.Entry> readAll(Spool spool) throws IOException {
        List<Spool.Entry> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Spool.Entry> batch = spool.readFrom(after, 7);
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            after = batch.get(batch.size() - 1).seq();
        }
    }

    private static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static long segmentBytesOnDisk(Path dir) throws IOException {
        long total = 0;
        for (Path p : segmentFiles(dir)) {
            total += Files.size(p);
        }
        return total;
    }

    /** What a crash leaves: the files as they are now, without close() running. */
    private Path crashCopy(Path dir) throws IOException {
        Path copy = Files.createTempDirectory(tmp, "crash");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> !p.getFileName().toString().equals("lock")).toList()) {
                Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        return copy;
    }

    @Test
    void appendAssignsIncreasingSeqsAndReadsBackInOrder() throws IOException {
        try (Spool spool = Spool.open(tmp.resolve("spool"), 1 << 20, 4096)) {
            for (long i = 1; i <= 30; i++) {
                assertEquals(i, spool.append(record(i, 300)));
            }
            List<Spool.Entry> all = readAll(spool);
            assertEquals(range(1, 30), seqs(all));
            for (Spool.Entry e : all) {
                assertArrayEquals(record(e.seq(), 300), e.record());
            }
            assertEquals(range(11, 15), seqs(spool.readFrom(10, 5)));
            assertEquals(30, spool.pending());
        }
    }

    @Test
    void ackForgetsRecordsUpToAndIncludingSeq() throws IOException {
        try (Spool spool = Spool.open(tmp.resolve("spool"), 1 << 20, 4096)) {
            for (long i = 1; i <= 20; i++) {
                spool.append(record(i, 500));
            }
            spool.ack(12);
            assertEquals(range(13, 20), seqs(spool.readFrom(0, 100)));
            assertEquals(8, spool.pending());
            assertEquals(12, spool.ackedSeq());
            spool.ack(5);
            assertEquals(12, spool.ackedSeq(), "an older ack must not move the position back");
        }
    }

    @Test
    void emptyRecordsRoundTrip() throws IOException {
        try (Spool spool = Spool.open(tmp.resolve("spool"), 1 << 20, 4096)) {
            spool.append(new byte[0]);
            spool.append(record(2, 10));
            List<Spool.Entry> all = readAll(spool);
            assertEquals(List.of(1L, 2L), seqs(all));
            assertEquals(0, all.get(0).record().length);
        }
    }

    @Test
    void restartKeepsUnackedRecordsAndContinuesSequence() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 25; i++) {
                spool.append(record(i, 400));
            }
            spool.ack(9);
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            List<Spool.Entry> all = readAll(spool);
            assertEquals(range(10, 25), seqs(all));
            for (Spool.Entry e : all) {
                assertArrayEquals(record(e.seq(), 400), e.record());
            }
            assertEquals(26, spool.append(record(26, 400)));
        }
    }

    @Test
    void syncedAckSurvivesACrash() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 10; i++) {
                spool.append(record(i, 200));
            }
            spool.ack(4);
            spool.sync();
            try (Spool afterCrash = Spool.open(crashCopy(dir), 1 << 20, 4096)) {
                assertEquals(range(5, 10), seqs(afterCrash.readFrom(0, 100)));
            }
        }
    }

    @Test
    void reconnectReplaysFromOldestUnackedAfterReadingAhead() throws IOException {
        try (Spool spool = Spool.open(tmp.resolve("spool"), 1 << 20, 4096)) {
            for (long i = 1; i <= 40; i++) {
                spool.append(record(i, 300));
            }
            assertEquals(range(1, 30), seqs(spool.readFrom(0, 30)));
            spool.ack(3);
            // The stream broke with 4..30 in flight: a new stream starts over from the ack position.
            assertEquals(range(4, 40), seqs(spool.readFrom(spool.ackedSeq(), 100)));
            assertEquals(range(4, 40), seqs(spool.readFrom(0, 100)));
        }
    }

    @Test
    void syncedRecordsInRolledOverSegmentsSurviveACrash() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 60; i++) {
                spool.append(record(i, 900));
            }
            spool.sync();
            Path crashed = crashCopy(dir);
            assertTrue(segmentFiles(crashed).size() > 10);
            try (Spool afterCrash = Spool.open(crashed, 1 << 20, 4096)) {
                List<Spool.Entry> all = readAll(afterCrash);
                assertEquals(range(1, 60), seqs(all));
                assertArrayEquals(record(60, 900), all.get(59).record());
                assertEquals(61, afterCrash.append(record(61, 900)));
            }
        }
    }

    @Test
    void sequenceContinuesAfterEverythingWasAckedAndDeleted() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 40; i++) {
                spool.append(record(i, 300));
            }
            spool.ack(40);
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            assertEquals(0, spool.pending());
            assertEquals(0, segmentBytesOnDisk(dir), "a fully acknowledged spool reopens empty");
            assertEquals(41, spool.append(record(41, 300)));
        }
    }

    @Test
    void ackOfEverythingDeletesAllButTheActiveSegment() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 50; i++) {
                spool.append(record(i, 1000));
            }
            int before = segmentFiles(dir).size();
            assertTrue(before >= 10, "50 KB in 4 KiB segments, got " + before + " files");
            spool.ack(50);
            assertEquals(1, segmentFiles(dir).size());
            assertTrue(spool.sizeBytes() <= 4096);
            assertEquals(spool.sizeBytes(), segmentBytesOnDisk(dir));
            assertEquals(0, spool.pending());
            assertTrue(spool.readFrom(0, 100).isEmpty());
        }
    }

    @Test
    void fullSpoolDropsOldestAndCountsThem() throws IOException {
        Path dir = tmp.resolve("spool");
        long maxBytes = 64 * 1024;
        try (Spool spool = Spool.open(dir, maxBytes, 4096)) {
            for (long i = 1; i <= 200; i++) {
                spool.append(record(i, 1000));
                assertTrue(segmentBytesOnDisk(dir) <= maxBytes, "over budget after seq " + i);
                assertEquals(spool.sizeBytes(), segmentBytesOnDisk(dir));
            }
            List<Spool.Entry> left = readAll(spool);
            long first = left.get(0).seq();
            assertTrue(first > 1, "something must have been dropped");
            assertEquals(range(first, 200), seqs(left), "only the oldest are dropped, the rest stay contiguous");
            assertEquals(first - 1, spool.droppedUnreported());
            assertEquals(left.size(), spool.pending());
        }
    }

    @Test
    void dropsCountOnlyRecordsThatWereNotAcked() throws IOException {
        try (Spool spool = Spool.open(tmp.resolve("spool"), 32 * 1024, 4096)) {
            for (long i = 1; i <= 20; i++) {
                spool.append(record(i, 1000));
            }
            spool.ack(20);
            for (long i = 21; i <= 100; i++) {
                spool.append(record(i, 1000));
            }
            long first = spool.readFrom(0, 1).get(0).seq();
            assertTrue(first > 21);
            assertEquals(first - 21, spool.droppedUnreported());
        }
    }

    @Test
    void dropCountPersistsUntilReported() throws IOException {
        Path dir = tmp.resolve("spool");
        long dropped;
        try (Spool spool = Spool.open(dir, 32 * 1024, 4096)) {
            for (long i = 1; i <= 100; i++) {
                spool.append(record(i, 1000));
            }
            dropped = spool.droppedUnreported();
            assertTrue(dropped > 0);
        }
        try (Spool spool = Spool.open(dir, 32 * 1024, 4096)) {
            assertEquals(dropped, spool.droppedUnreported());
            // Reported while more drops happened: only the reported ones are subtracted.
            long reported = spool.droppedUnreported();
            for (long i = 101; i <= 140; i++) {
                spool.append(record(i, 1000));
            }
            long meanwhile = spool.droppedUnreported() - reported;
            assertTrue(meanwhile > 0);
            spool.markDropsReported(reported);
            assertEquals(meanwhile, spool.droppedUnreported());
        }
        try (Spool spool = Spool.open(dir, 32 * 1024, 4096)) {
            long left = spool.droppedUnreported();
            assertTrue(left > 0 && left < dropped + 40);
            spool.markDropsReported(left);
        }
        try (Spool spool = Spool.open(dir, 32 * 1024, 4096)) {
            assertEquals(0, spool.droppedUnreported());
        }
    }

    @Test
    void shrunkenBudgetDropsOldestOnOpen() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 100; i++) {
                spool.append(record(i, 1000));
            }
        }
        try (Spool spool = Spool.open(dir, 20 * 1024, 4096)) {
            assertTrue(segmentBytesOnDisk(dir) <= 20 * 1024);
            List<Spool.Entry> left = readAll(spool);
            assertEquals(left.get(0).seq() - 1, spool.droppedUnreported());
            assertEquals(100, left.get(left.size() - 1).seq());
        }
    }

    @Test
    void truncatedTailIsCutAndEverythingBeforeKept() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            for (long i = 1; i <= 10; i++) {
                spool.append(record(i, 300));
            }
        }
        Path seg = segmentFiles(dir).get(0);
        long fullSize = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(fullSize - 5);
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            List<Spool.Entry> left = readAll(spool);
            assertEquals(range(1, 9), seqs(left));
            assertArrayEquals(record(9, 300), left.get(8).record());
            assertEquals(fullSize - (Frames.HEADER_BYTES + 300), Files.size(seg), "the torn frame is cut off the file");
            assertEquals(10, spool.append(record(10, 300)), "the lost seq is handed out again");
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            assertEquals(range(1, 10), seqs(readAll(spool)));
        }
    }

    @Test
    void garbageTailIsCutAndLaterAppendsSurviveRestart() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            for (long i = 1; i <= 10; i++) {
                spool.append(record(i, 300));
            }
        }
        Path seg = segmentFiles(dir).get(0);
        long goodSize = Files.size(seg);
        // A plausible header (length 8, wrong CRC) followed by junk, as a crash mid-write may leave.
        byte[] garbage = {0, 0, 0, 8, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 11, 9, 9, 9, 9, 9, 9, 9, 9, 7, 7};
        Files.write(seg, garbage, StandardOpenOption.APPEND);
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            assertEquals(goodSize, Files.size(seg));
            assertEquals(range(1, 10), seqs(readAll(spool)));
            assertEquals(11, spool.append(record(11, 300)));
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            List<Spool.Entry> all = readAll(spool);
            assertEquals(range(1, 11), seqs(all));
            assertArrayEquals(record(11, 300), all.get(10).record());
        }
    }

    @Test
    void zeroFilledTailIsCut() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            for (long i = 1; i <= 3; i++) {
                spool.append(record(i, 100));
            }
        }
        Path seg = segmentFiles(dir).get(0);
        long goodSize = Files.size(seg);
        // Extended but unwritten blocks read back as zeros after some crashes.
        Files.write(seg, new byte[4096], StandardOpenOption.APPEND);
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            assertEquals(range(1, 3), seqs(readAll(spool)));
            assertEquals(goodSize, Files.size(seg));
        }
    }

    @Test
    void garbageStateFileReplaysEverythingRatherThanLosingIt() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 30; i++) {
                spool.append(record(i, 300));
            }
            spool.ack(10);
        }
        Files.write(dir.resolve("state"), new byte[] {(byte) 0xff, (byte) 0xfe, 'a', '=', 0, (byte) 0xc3});
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            List<Long> left = seqs(readAll(spool));
            assertEquals(30L, left.get(left.size() - 1));
            assertTrue(left.get(0) <= 11, "nothing unacknowledged may be lost, first is " + left.get(0));
        }
    }

    @Test
    void createsDirectoryOwnerOnly() throws IOException {
        Path dir = tmp.resolve("a/b/spool");
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(dir));
        }
    }

    @Test
    void secondOpenOfSameDirectoryIsRefused() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            IOException e = assertThrows(IOException.class, () -> Spool.open(dir, 1 << 20));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        Spool.open(dir, 1 << 20).close();
    }

    @Test
    void recordLargerThanBudgetIsRejected() throws IOException {
        try (Spool spool = Spool.open(tmp.resolve("spool"), 4096, 1024)) {
            assertThrows(IllegalArgumentException.class, () -> spool.append(new byte[5000]));
            assertEquals(1, spool.append(record(1, 100)), "a rejected record takes no seq");
        }
    }

    @Test
    void samplerAndShipperThreadsSeeEveryRecordOnceInOrder() throws Exception {
        int total = 3000;
        try (Spool spool = Spool.open(tmp.resolve("spool"), 16L << 20, 64 * 1024)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread sampler = new Thread(() -> {
                try {
                    for (long i = 1; i <= total; i++) {
                        spool.append(record(i, 700));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            sampler.start();
            List<Long> received = new ArrayList<>();
            long after = 0;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (after < total && System.nanoTime() < deadline && failure.get() == null) {
                List<Spool.Entry> batch = spool.readFrom(after, 64);
                for (Spool.Entry e : batch) {
                    assertArrayEquals(record(e.seq(), 700), e.record());
                    received.add(e.seq());
                }
                if (!batch.isEmpty()) {
                    after = batch.get(batch.size() - 1).seq();
                    spool.ack(after);
                }
            }
            sampler.join();
            assertEquals(null, failure.get());
            assertEquals(range(1, total), received);
            assertEquals(0, spool.pending());
        }
    }

    /** The records a segment of {@code n} frames of {@code size} bytes holds, and where frame {@code i} (1-based) starts. */
    private static long frameOffset(int i, int size) {
        return (long) (i - 1) * (Frames.HEADER_BYTES + size);
    }

    private static List<String> spoolWarnings(Runnable r) {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Spool.class.getName());
        List<String> lines = new ArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord rec) {
                lines.add(java.text.MessageFormat.format(rec.getMessage(), rec.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        try {
            r.run();
        } finally {
            log.removeHandler(h);
        }
        return lines;
    }

    /** The tester's case: one damaged stretch in frame 10 of a 65-frame segment cost 56 samples. */
    @Test
    void damagedFrameCostsThatFrameOnlyAndIsCountedOnce() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            for (long i = 1; i <= 65; i++) {
                spool.append(record(i, 300));
            }
        }
        Path seg = segmentFiles(dir).get(0);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("garbage in the middle of frame ten".getBytes(StandardCharsets.US_ASCII)),
                    frameOffset(10, 300) + 100);
        }
        List<String> log = spoolWarnings(() -> {
            try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
                List<Long> expected = range(1, 65);
                expected.remove(Long.valueOf(10));
                List<Spool.Entry> all = readAll(spool);
                assertEquals(expected, seqs(all));
                assertArrayEquals(record(11, 300), all.get(9).record());
                assertEquals(1, spool.droppedUnreported(), "the lost frame is reported in the next hello");
                assertEquals(64, spool.pending());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains(seg.toString()) && log.get(0).contains("bytes " + frameOffset(10, 300) + "..")
                && log.get(0).contains("1 samples lost (seq 10..10)"), log.get(0));
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            assertEquals(1, spool.droppedUnreported(), "damage left in the file is not counted again");
            assertEquals(64, readAll(spool).size());
            assertEquals(66, spool.append(record(66, 300)), "the damaged segment still takes appends");
        }
    }

    @Test
    void badLengthFieldCostsThatFrameOnly() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            for (long i = 1; i <= 65; i++) {
                spool.append(record(i, 300));
            }
        }
        try (FileChannel ch = FileChannel.open(segmentFiles(dir).get(0), StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(4).putInt(0, 4000), frameOffset(10, 300) + 4); // a length past the next frames
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            List<Long> seqs = seqs(readAll(spool));
            assertEquals(64, seqs.size());
            assertTrue(!seqs.contains(10L) && seqs.contains(11L) && seqs.contains(65L), seqs.toString());
            assertEquals(1, spool.droppedUnreported());
        }
    }

    @Test
    void garbageSegmentBetweenGoodOnesCountsAllItsRecords() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            for (long i = 1; i <= 40; i++) {
                spool.append(record(i, 300));
            }
        }
        List<Path> files = segmentFiles(dir);
        assertTrue(files.size() >= 3);
        Path middle = files.get(1);
        long base = Segment.parseBase(middle.getFileName().toString()).getAsLong();
        long next = Segment.parseBase(files.get(2).getFileName().toString()).getAsLong();
        byte[] garbage = new byte[(int) Files.size(middle)];
        new java.util.Random(3).nextBytes(garbage);
        Files.write(middle, garbage);
        try (Spool spool = Spool.open(dir, 1 << 20, 4096)) {
            List<Long> expected = range(1, 40);
            expected.removeIf(seq -> seq >= base && seq < next);
            assertEquals(expected, seqs(readAll(spool)));
            assertEquals(next - base, spool.droppedUnreported());
        }
    }

    @Test
    void spoolWrittenBeforeMarkersIsReadAfterAnUpgradeAndGrowsWithMarkedFrames() throws IOException {
        Path dir = tmp.resolve("spool");
        Files.createDirectories(dir);
        java.io.ByteArrayOutputStream old = new java.io.ByteArrayOutputStream();
        for (long i = 1; i <= 20; i++) {
            var frame = Frames.encodeLegacy(i, record(i, 200));
            old.write(frame.array(), 0, frame.limit());
        }
        byte[] bytes = old.toByteArray();
        // and a legacy frame damaged in the middle: the old reader stopped there for good
        bytes[(int) (5 * (Frames.LEGACY_HEADER_BYTES + 200) + 50)] ^= 0x10;
        Files.write(dir.resolve(Segment.fileName(1)), bytes);
        Files.writeString(dir.resolve("state"), "acked=0\ndropped=0\n");
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            List<Long> expected = range(1, 20);
            expected.remove(Long.valueOf(6));
            List<Spool.Entry> all = readAll(spool);
            assertEquals(expected, seqs(all));
            assertArrayEquals(record(20, 200), all.get(18).record());
            assertEquals(1, spool.droppedUnreported());
            assertEquals(21, spool.append(record(21, 200)));
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            List<Long> all = seqs(readAll(spool));
            assertEquals(20, all.size());
            assertEquals(21L, all.get(all.size() - 1), "old and new frames share the segment");
        }
    }

    @Test
    void damageAfterOpenIsSkippedAndCounted() throws IOException {
        Path dir = tmp.resolve("spool");
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            for (long i = 1; i <= 30; i++) {
                spool.append(record(i, 300));
            }
            spool.sync();
            try (FileChannel ch = FileChannel.open(segmentFiles(dir).get(0), StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[700]), frameOffset(20, 300) + 10); // zeros over 20..22
            }
            List<Long> seqs = seqs(readAll(spool));
            assertEquals(27, seqs.size(), seqs.toString());
            assertTrue(!seqs.contains(20L) && !seqs.contains(22L) && seqs.contains(23L), seqs.toString());
            assertEquals(3, spool.droppedUnreported());
            assertEquals(27, readAll(spool).size(), "a replay skips it again without counting it again");
            assertEquals(3, spool.droppedUnreported());
        }
        try (Spool spool = Spool.open(dir, 1 << 20, 1 << 20)) {
            assertEquals(3, spool.droppedUnreported(), "found while running, counted once across a restart");
        }
    }
}
