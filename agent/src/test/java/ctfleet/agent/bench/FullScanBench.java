package ctfleet.agent.bench;

import ctfleet.agent.procfs.EntryTableReader;
import ctfleet.agent.procfs.ReadSummary;
import ctfleet.agent.sample.EntryAggregator;
import ctfleet.agent.sample.EntrySample;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A full scan (EntryTableReader + EntryAggregator) against {@code cat FILE > /dev/null}, back to
 * back, alternating. Point it at {@code /proc/net/nf_conntrack} inside a namespace with a big table:
 * there the kernel's printing dominates both, and the target is a ratio of at most 1.25.
 * On a regular file the ratio is much higher, since cat then only copies page cache.
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
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] agent = new long[runs];
        long[] agentCpu = new long[runs];
        long[] cat = new long[runs];
        long[] catCpu = new long[runs];
        for (int i = 0; i < runs; i++) {
            Baseline.Cost c = Baseline.run(List.of("cat", file.toString()));
            cat[i] = c.wall();
            catCpu[i] = c.cpu();
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            scan(reader, file);
            agent[i] = System.nanoTime() - t0;
            agentCpu[i] = mx.getCurrentThreadCpuTime() - c0;
        }
        long a = Baseline.median(agent);
        long c = Baseline.median(cat);
        long ac = Baseline.median(agentCpu);
        long cc = Baseline.median(catCpu);
        System.out.printf("file %s: %d entries, %d parse errors, top approximate: %s%n", file,
                first.sampleSize(), first.parseErrors(), first.topApproximate());
        System.out.printf("agent full scan  median wall %8.1f ms  cpu %8.1f ms  (first run, cold JIT: wall %.1f ms)%n",
                Baseline.ms(a), Baseline.ms(ac), Baseline.ms(cold));
        System.out.printf("cat > /dev/null  median wall %8.1f ms  cpu %8.1f ms%n", Baseline.ms(c), Baseline.ms(cc));
        System.out.printf("ratio agent / cat: wall %.2f, cpu %.2f  (target on a real 262k table: <= 1.25)%n",
                (double) a / c, (double) ac / cc);
    }

    private static EntrySample scan(EntryTableReader reader, Path file) throws java.io.IOException {
        EntryAggregator agg = new EntryAggregator();
        ReadSummary read = reader.fullScan(file, agg);
        return agg.result(read);
    }
}
