package ctfleet.agent.bench;

import ctfleet.agent.procfs.EntryTableReader;
import ctfleet.agent.procfs.ReadSummary;
import ctfleet.agent.sample.EntryAggregator;
import ctfleet.agent.sample.EntrySample;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CPU time of one sample-mode tick: read the first N lines, aggregate, build the result. Measured
 * with ThreadMXBean (user + system time of this thread, so the kernel's printing of those lines
 * counts when FILE is /proc/net/nf_conntrack). Target: at most 5 ms per tick at N = 2000.
 * Usage: {@code SampleTickBench [FILE [N [TICKS]]]}; FILE defaults to a generated 1M-line table.
 */
public final class SampleTickBench {

    private SampleTickBench() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "/tmp/nf_conntrack.1M");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int ticks = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        if (!Files.exists(file)) {
            TableGenerator.write(file, 1_000_000, 1);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        EntryTableReader reader = new EntryTableReader();
        long firstCpu = 0;
        long[] cpu = new long[ticks];
        long[] wall = new long[ticks];
        EntrySample s = null;
        int warmup = 50;
        for (int i = -warmup; i < ticks; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            EntryAggregator agg = new EntryAggregator();
            ReadSummary read = reader.sample(file, n, agg);
            s = agg.result(read);
            long c = mx.getCurrentThreadCpuTime() - c0;
            long w = System.nanoTime() - w0;
            if (i == -warmup) {
                firstCpu = c;
            }
            if (i >= 0) {
                cpu[i] = c;
                wall[i] = w;
            }
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf("file %s, sample %d lines -> %d entries, %d parse errors%n", file, n, s.sampleSize(), s.parseErrors());
        System.out.printf("CPU per tick: median %.2f ms, p90 %.2f ms, max %.2f ms (first tick, cold JIT: %.2f ms)%n",
                cpu[ticks / 2] / 1e6, cpu[ticks * 9 / 10] / 1e6, cpu[ticks - 1] / 1e6, firstCpu / 1e6);
        System.out.printf("wall per tick: median %.2f ms; target CPU <= 5 ms%n", wall[ticks / 2] / 1e6);
    }
}
