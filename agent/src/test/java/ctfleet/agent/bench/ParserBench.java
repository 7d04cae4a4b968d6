package ctfleet.agent.bench;

import ctfleet.agent.procfs.EntryListener;
import ctfleet.agent.procfs.EntryTableReader;
import ctfleet.agent.procfs.ParsedEntry;
import ctfleet.agent.procfs.ReadSummary;
import ctfleet.agent.sample.EntryAggregator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Parser throughput against {@code wc -l} on the same file, measured back to back in one run.
 * The file is read through the page cache by both, so this isolates the parsing cost. A second
 * row adds the {@link EntryAggregator}, i.e. what a full scan of the agent costs on top of reading.
 * Usage: {@code ParserBench [FILE [LINES]]}; FILE is generated (1M lines) when it does not exist.
 */
public final class ParserBench {

    private ParserBench() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "/tmp/nf_conntrack.1M");
        long lines = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        if (!Files.exists(file)) {
            TableGenerator.write(file, lines, 1);
        }
        double mb = Files.size(file) / 1e6;
        EntryTableReader reader = new EntryTableReader();
        long[] sink = new long[1];
        EntryListener counting = new EntryListener() {
            @Override
            public void onParsed(ParsedEntry e, byte[] line, int off, int len) {
                sink[0] += e.hasPorts(ParsedEntry.ORIGINAL) ? e.dport(ParsedEntry.ORIGINAL) : 0;
            }
        };
        for (int i = 0; i < 3; i++) { // JIT warm-up
            reader.fullScan(file, counting);
            reader.fullScan(file, new EntryAggregator());
        }
        int runs = 7;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] parseWall = new long[runs];
        long[] parseCpu = new long[runs];
        long[] wcWall = new long[runs];
        long[] wcCpu = new long[runs];
        long[] aggWall = new long[runs];
        long[] aggCpu = new long[runs];
        ReadSummary summary = null;
        for (int i = 0; i < runs; i++) {
            Baseline.Cost wc = Baseline.run(List.of("wc", "-l", file.toString()));
            wcWall[i] = wc.wall();
            wcCpu[i] = wc.cpu();
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            summary = reader.fullScan(file, counting);
            parseWall[i] = System.nanoTime() - t0;
            parseCpu[i] = mx.getCurrentThreadCpuTime() - c0;
            c0 = mx.getCurrentThreadCpuTime();
            t0 = System.nanoTime();
            EntryAggregator agg = new EntryAggregator();
            sink[0] += agg.result(reader.fullScan(file, agg)).topSources().size();
            aggWall[i] = System.nanoTime() - t0;
            aggCpu[i] = mx.getCurrentThreadCpuTime() - c0;
        }
        long pw = Baseline.median(parseWall);
        long pc = Baseline.median(parseCpu);
        long ww = Baseline.median(wcWall);
        long wcpu = Baseline.median(wcCpu);
        long aw = Baseline.median(aggWall);
        long ac = Baseline.median(aggCpu);
        System.out.printf("file %s: %.1f MB, %d entries, %d parse errors%n", file, mb, summary.entries(), summary.parseErrors());
        System.out.printf("parser  median wall %8.1f ms  cpu %8.1f ms  %7.1f MB/s of cpu  %5.0f ns/line%n",
                Baseline.ms(pw), Baseline.ms(pc), mb / (pc / 1e9), (double) pc / summary.lines());
        System.out.printf("+ aggr  median wall %8.1f ms  cpu %8.1f ms  %7.1f MB/s of cpu  %5.0f ns/line%n",
                Baseline.ms(aw), Baseline.ms(ac), mb / (ac / 1e9), (double) ac / summary.lines());
        System.out.printf("wc -l   median wall %8.1f ms  cpu %8.1f ms  %7.1f MB/s of cpu%n",
                Baseline.ms(ww), Baseline.ms(wcpu), mb / (wcpu / 1e9));
        System.out.printf("ratio parser / wc -l: wall %.2f, cpu %.2f; parser + aggregator / wc -l: wall %.2f, cpu %.2f"
                + "  (checksum %d)%n", (double) pw / ww, (double) pc / wcpu, (double) aw / ww, (double) ac / wcpu, sink[0]);
    }
}
