package ctfleet.agent.ship;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged spools, at random: segments of marked and legacy frames get flipped bits, bad length
 * fields, zeroed stretches, a torn tail, or are garbage through and through. Whatever happens,
 * every frame whose bytes are intact is delivered, with its content, in order; nothing damaged is
 * delivered; and the records lost are counted as dropped, once (a second open counts nothing new).
 */
class SpoolFuzzTest {
    static final long SEED = 18_002L;
    static final int MAX_TRIALS = 400;
    static final Duration BUDGET = Duration.ofSeconds(15);
    /** Held so the level sticks: every trial logs its damage, which is the point, but not here. */
    private static final Logger SPOOL_LOG = Logger.getLogger(Spool.class.getName());

    @TempDir
    Path tmp;

    /** Where one record's frame sits: segment, byte offset, frame length, and its payload. */
    record Placed(long seq, int segment, int offset, int length, byte[] payload) {}

    @Test
    void everyIntactFrameIsDeliveredAndEveryLostOneCounted() throws IOException {
        SPOOL_LOG.setLevel(Level.OFF);
        Random r = new Random(SEED);
        long end = System.nanoTime() + BUDGET.toNanos();
        Map<String, Integer> tried = new TreeMap<>();
        int trials = 0;
        try {
            for (; trials < MAX_TRIALS && System.nanoTime() < end; trials++) {
                trial(r, trials, tried);
            }
        } finally {
            SPOOL_LOG.setLevel(null);
        }
        System.out.println("SpoolFuzzTest: " + trials + " damaged spools, mutations " + tried);
        assertTrue(trials >= 50, "too few trials in the budget: " + trials);
    }

    private void trial(Random r, int n, Map<String, Integer> tried) throws IOException {
        Path dir = tmp.resolve("spool-" + n);
        Files.createDirectories(dir);
        List<byte[]> files = new ArrayList<>();
        List<Long> bases = new ArrayList<>();
        List<Boolean> legacyFormat = new ArrayList<>();
        List<Placed> placed = new ArrayList<>();
        long seq = 1;
        int segments = 1 + r.nextInt(5);
        for (int s = 0; s < segments; s++) {
            boolean legacy = r.nextInt(4) == 0;
            legacyFormat.add(legacy);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            bases.add(seq);
            for (int i = 0, k = 1 + r.nextInt(40); i < k; i++, seq++) {
                byte[] payload = new byte[r.nextInt(600)];
                r.nextBytes(payload);
                ByteBuffer frame = legacy ? Frames.encodeLegacy(seq, payload) : Frames.encode(seq, payload);
                placed.add(new Placed(seq, s, file.size(), frame.remaining(), payload));
                file.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
            }
            files.add(file.toByteArray());
        }
        // Damaged bytes per segment, and where the newest segment was cut (its length when not cut).
        List<boolean[]> damaged = new ArrayList<>();
        for (byte[] f : files) {
            damaged.add(new boolean[f.length]);
        }
        int last = files.size() - 1;
        int cut = files.get(last).length;
        for (int m = 0, k = 1 + r.nextInt(3); m < k; m++) {
            int s = r.nextInt(files.size());
            byte[] f = files.get(s);
            if (f.length == 0) {
                continue;
            }
            String kind = List.of("flip", "length", "zeros", "torn-tail", "garbage-segment").get(r.nextInt(5));
            tried.merge(kind, 1, Integer::sum);
            switch (kind) {
                case "flip" -> {
                    for (int b = 0, bits = 1 + r.nextInt(8); b < bits; b++) {
                        int at = r.nextInt(f.length);
                        f[at] ^= (byte) (1 << r.nextInt(8));
                        damaged.get(s)[at] = true;
                    }
                }
                case "length" -> {
                    List<Placed> in = placed.stream().filter(p -> p.segment() == s).toList();
                    Placed p = in.get(r.nextInt(in.size()));
                    int field = p.offset() + (legacyFormat.get(s) ? 0 : 4);
                    ByteBuffer.wrap(f).putInt(field, r.nextBoolean() ? r.nextInt() : r.nextInt(100_000));
                    for (int i = field; i < field + 4; i++) {
                        damaged.get(s)[i] = true;
                    }
                }
                case "zeros" -> {
                    int at = r.nextInt(f.length);
                    int len = Math.min(f.length - at, 1 + r.nextInt(200));
                    for (int i = at; i < at + len; i++) {
                        f[i] = 0;
                        damaged.get(s)[i] = true;
                    }
                }
                case "torn-tail" -> cut = Math.min(cut, r.nextInt(files.get(last).length + 1));
                default -> {
                    r.nextBytes(f);
                    java.util.Arrays.fill(damaged.get(s), true);
                }
            }
        }
        for (int s = 0; s < files.size(); s++) {
            byte[] f = files.get(s);
            Files.write(dir.resolve(Segment.fileName(bases.get(s))), s == last ? java.util.Arrays.copyOf(f, cut) : f);
        }

        List<Placed> intact = new ArrayList<>();
        long lostBeforeTail = 0;
        long lostInTail = 0;
        int cutAt = cut;
        long newestIntact = placed.stream().filter(p -> p.segment() == last && isIntact(p, damaged, last, cutAt))
                .mapToLong(Placed::seq).max().orElse(-1);
        for (Placed p : placed) {
            if (isIntact(p, damaged, last, cut)) {
                intact.add(p);
            } else if (p.segment() == last && p.seq() > newestIntact) {
                lostInTail++;
            } else {
                lostBeforeTail++;
            }
        }

        String what = "trial " + n + " (" + tried + ")";
        long droppedFirst;
        try (Spool spool = Spool.open(dir, 1L << 30, 1L << 20)) {
            List<Spool.Entry> got = readAll(spool);
            assertEquals(intact.stream().map(Placed::seq).toList(), got.stream().map(Spool.Entry::seq).toList(), what);
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(intact.get(i).payload(), got.get(i).record(), what + " seq " + got.get(i).seq());
            }
            droppedFirst = spool.droppedUnreported();
            // Damage before the newest intact record is counted exactly; a torn tail by the frames it had started.
            assertTrue(droppedFirst >= lostBeforeTail && droppedFirst <= lostBeforeTail + lostInTail,
                    what + ": dropped " + droppedFirst + ", lost " + lostBeforeTail + " + tail " + lostInTail);
            assertEquals(intact.size(), spool.pending(), what);
        }
        try (Spool spool = Spool.open(dir, 1L << 30, 1L << 20)) {
            assertEquals(intact.size(), readAll(spool).size(), what);
            assertEquals(droppedFirst, spool.droppedUnreported(), what + ": damage is counted once");
        }
    }

    /** A frame is intact when none of its bytes were touched and the cut left it whole. */
    private static boolean isIntact(Placed p, List<boolean[]> damaged, int last, int cut) {
        if (p.segment() == last && p.offset() + p.length() > cut) {
            return false;
        }
        boolean[] d = damaged.get(p.segment());
        for (int i = p.offset(); i < p.offset() + p.length(); i++) {
            if (d[i]) {
                return false;
            }
        }
        return true;
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
}
