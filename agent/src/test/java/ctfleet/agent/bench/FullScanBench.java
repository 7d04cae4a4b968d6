package ctfleet.agent.bench;

import ctfleet.agent.procfs.EntryTableReader;
import ctfleet.agent.procfs.ReadSummary;
import ctfleet.agent.sample.EntryAggregator;
import ctfleet.agent.sample.EntrySample;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A full scan (EntryTableReader + EntryAggregator) against {@code cat FILE > /dev/null}, back to
 * back, alternating. Point it at {@code /proc/net/nf_conntrack} inside a namespace with a big table:
 * there the kernel's printing dominates both, and the target is a ratio of at most 1.25.
 * On a regular file the ratio is much higher, since cat then only copies page cache.
 *
 * <p>Each round also times a plain read of the file from Java (no parsing), the floor any reader
 * in this JVM can reach. The agent's CPU is the whole process's (its read-ahead thread, JIT, GC
 * included), so the overlap of reading and parsing cannot hide CPU spent elsewhere.
 * Usage: {@code FullScanBench FILE [RUNS]}.
 */
public final class FullScanBench {

    private FullScanBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: FullScanBench FILE [RUNS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (!Files.isReadable(file)) {
            System.err.println("cannot read " + file);
            System.exit(2);
        }
        EntryTableReader reader = new EntryTableReader();
        EntrySample first = null;
        long cold = 0;
        for (int i = 0; i < 3; i++) { // the first run is what a freshly started agent pays
            long t0 = System.nanoTime();
            first = scan(reader, file);
            if (i == 0) {
                cold = System.nanoTime() - t0;
            }
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] agent = new long[runs];
        long[] agentCpu = new long[runs];
        long[] cat = new long[runs];
        long[] catCpu = new long[runs];
        long[] plain = new long[runs];
        ByteBuffer chunk = ByteBuffer.allocateDirect(128 * 1024);
        long fewest = Long.MAX_VALUE;
        long most = 0;
        for (int i = 0; i < runs; i++) {
            Baseline.Cost c = Baseline.run(List.of("cat", file.toString()));
            cat[i] = c.wall();
            catCpu[i] = c.cpu();
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            long entries = scan(reader, file).sampleSize();
            agent[i] = System.nanoTime() - t0;
            fewest = Math.min(fewest, entries);
            most = Math.max(most, entries);
            agentCpu[i] = os.getProcessCpuTime() - c0;
            t0 = System.nanoTime();
            readOnly(file, chunk);
            plain[i] = System.nanoTime() - t0;
        }
        long a = Baseline.median(agent);
        long c = Baseline.median(cat);
        long ac = Baseline.median(agentCpu);
        long cc = Baseline.median(catCpu);
        long p = Baseline.median(plain);
        System.out.printf("file %s: %d entries, %d parse errors, top approximate: %s%n", file,
                first.sampleSize(), first.parseErrors(), first.topApproximate());
        // UDP entries expire: rounds over a table that is emptying compare nothing.
        System.out.printf("entries per measured round: %d .. %d%n", fewest, most);
        System.out.printf("agent full scan  median wall %8.1f ms  cpu %8.1f ms  (first run, cold JIT: wall %.1f ms)%n",
                Baseline.ms(a), Baseline.ms(ac), Baseline.ms(cold));
        System.out.printf("cat > /dev/null  median wall %8.1f ms  cpu %8.1f ms%n", Baseline.ms(c), Baseline.ms(cc));
        System.out.printf("java read only   median wall %8.1f ms  (the floor: no parsing; ratio to cat %.2f)%n",
                Baseline.ms(p), (double) p / c);
        System.out.printf("ratio agent / cat: wall %.2f, cpu %.2f  (%d rounds; target on a real 262k table: <= 1.25)%n",
                (double) a / c, (double) ac / cc, runs);
    }

    /** Reads the file to its end and drops the bytes. */
    private static void readOnly(Path file, ByteBuffer chunk) throws java.io.IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(chunk.clear()) >= 0) {
                // the kernel's printing is the cost being measured
            }
        }
    }

    private static EntrySample scan(EntryTableReader reader, Path file) throws java.io.IOException {
        EntryAggregator agg = new EntryAggregator();
        ReadSummary read = reader.fullScan(file, agg);
        return agg.result(read);
    }
}
