package ctfleet.agent.bench;

import ctfleet.agent.ship.Spool;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Spool append throughput against the cheapest way to put the same bytes in a file: one
 * unbuffered FileOutputStream.write per record, no framing, no CRC, no fsync. The spool frames,
 * checksums, rolls segments and fsyncs once a second, so the ratio says what durability costs.
 * A second pass runs with a budget far below the data, so the spool keeps dropping the oldest
 * segment. Each figure is the best of several rounds after a warm-up.
 *
 * <p>Usage: {@code SpoolBench [dir-on-the-disk-to-measure] [records]}.
 */
public final class SpoolBench {
    private static final int ROUNDS = 4;
    /** Held so the level sticks (JUL keeps loggers weakly); the drop warnings would drown the result. */
    private static final Logger SPOOL_LOG = Logger.getLogger("ctfleet.agent.ship");

    public static void main(String[] args) throws IOException {
        Path parent = args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir"));
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        SPOOL_LOG.setLevel(Level.SEVERE);
        byte[][] records = records(count);
        long bytes = Arrays.stream(records).mapToLong(r -> r.length).sum();
        System.out.printf("%d records, %.1f MB (sizes 300..3000 B, like serialized Samples), dir %s%n",
                count, bytes / 1e6, parent);

        Path work = Files.createTempDirectory(parent, "spoolbench");
        try {
            double[] best = new double[5];
            for (int round = 0; round <= ROUNDS; round++) {
                double raw = rawAppends(work.resolve("raw-" + round), records);
                Rates spool = spoolAppends(work.resolve("spool-" + round), records, Spool.DEFAULT_MAX_BYTES * 4);
                // 16 MiB budget (1 MiB segments) for half the data: drops the oldest segment
                // every 1 MiB, each drop persisting the count before the unlink.
                Rates full = spoolAppends(work.resolve("full-" + round), records, 16L << 20);
                if (round > 0) {
                    double[] now = {raw, spool.appends(), spool.withClose(), full.appends(), full.withClose()};
                    for (int i = 0; i < best.length; i++) {
                        best[i] = Math.max(best[i], now[i]);
                    }
                }
            }
            System.out.printf("baseline FileOutputStream.write (no fsync)  %,9.0f records/s%n", best[0]);
            System.out.printf("Spool.append, sync 1/s                      %,9.0f records/s  ratio %.2f%n", best[1], best[1] / best[0]);
            System.out.printf("  same, counting close's final fsync        %,9.0f records/s  ratio %.2f%n", best[2], best[2] / best[0]);
            System.out.printf("Spool.append, full so dropping oldest       %,9.0f records/s  ratio %.2f%n", best[3], best[3] / best[0]);
            System.out.printf("  same, counting close's final fsync        %,9.0f records/s  ratio %.2f%n", best[4], best[4] / best[0]);
        } finally {
            deleteTree(work);
        }
    }

    private static byte[][] records(int count) {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            out[i] = new byte[rnd.nextInt(300, 3001)];
            rnd.nextBytes(out[i]);
        }
        return out;
    }

    private static double rawAppends(Path file, byte[][] records) throws IOException {
        long start = System.nanoTime();
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            for (byte[] r : records) {
                out.write(r);
            }
        }
        return records.length / ((System.nanoTime() - start) / 1e9);
    }

    private record Rates(double appends, double withClose) {
    }

    private static Rates spoolAppends(Path dir, byte[][] records, long maxBytes) throws IOException {
        long start = System.nanoTime();
        long appended;
        try (Spool spool = Spool.open(dir, maxBytes)) {
            for (byte[] r : records) {
                spool.append(r);
            }
            appended = System.nanoTime();
        }
        long closed = System.nanoTime();
        return new Rates(records.length / ((appended - start) / 1e9), records.length / ((closed - start) / 1e9));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
