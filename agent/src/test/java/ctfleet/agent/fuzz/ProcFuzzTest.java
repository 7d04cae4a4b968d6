package ctfleet.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ctfleet.agent.procfs.Limits;
import ctfleet.agent.procfs.MemInfo;
import ctfleet.agent.procfs.MeminfoParser;
import ctfleet.agent.procfs.ProcRoot;
import ctfleet.agent.procfs.StatTable;
import ctfleet.agent.procfs.StatTableParser;
import ctfleet.agent.procfs.SysctlReader;
import ctfleet.agent.sample.Sampler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated and random /proc content through every reader: no exception, no hang, sane results. Each
 * target runs at least {@link #MIN_INPUTS} inputs whatever the machine's load, then more while its
 * few seconds last, with a fixed seed so a failure reproduces. Speed is not asserted here: under a
 * loaded CI run "at least 100 inputs in 3 seconds" failed for want of CPU, not of correctness.
 * A new parser is one more line in {@link #targets}.
 */
class ProcFuzzTest {
    static final Path FIXTURES = Path.of("src/test/resources/proc");
    static final long SEED = 20_260_501L;
    static final int MIN_INPUTS = 300;
    static final int MAX_INPUTS = 5_000;
    static final Duration BUDGET = Duration.ofSeconds(3);
    /** Far beyond MIN_INPUTS on the slowest machine: only a reader that loops forever reaches it. */
    static final Duration HANG = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    /** What to fuzz: a name, the fixture files (relative to a procfs root) to mutate, and how to run one input. */
    record Target(String name, String file, Check check) {}

    interface Check {
        void run(byte[] input, Path scratchRoot) throws Exception;
    }

    List<Target> targets() {
        return List.of(
                new Target("stat table parser", "net/stat/nf_conntrack", (in, root) -> checkStat(
                        StatTableParser.parse(new String(in, StandardCharsets.ISO_8859_1)))),
                new Target("sysctl limits", "sys/net/netfilter/nf_conntrack_count", (in, root) -> {
                    write(root, "sys/net/netfilter/nf_conntrack_count", in);
                    // A count that is a 32-bit number is read as it is (a negative int as its unsigned value,
                    // as the kernel's unsigned int means it); anything else fails the read naming the file,
                    // never "no conntrack" and never another exception.
                    Optional<Long> n = number(in).filter(v -> v >= Integer.MIN_VALUE && v <= 0xffffffffL);
                    SysctlReader reader = new SysctlReader(new ProcRoot(root));
                    if (n.isPresent()) {
                        assertEquals(n.map(v -> v & 0xffffffffL), reader.limits().map(Limits::count));
                    } else {
                        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, reader::limits);
                        assertTrue(e.getMessage().contains("nf_conntrack_count"), e.getMessage());
                    }
                }),
                new Target("sysctl timeouts", "sys/net/netfilter/nf_conntrack_udp_timeout", (in, root) -> {
                    write(root, "sys/net/netfilter/nf_conntrack_udp_timeout", in);
                    new SysctlReader(new ProcRoot(root)).timeouts();
                }),
                new Target("whole sampler, stat table", "net/stat/nf_conntrack", (in, root) -> {
                    write(root, "net/stat/nf_conntrack", in);
                    new Sampler(new ProcRoot(root), Clock.systemUTC()).read();
                }),
                new Target("whole sampler, max", "sys/net/netfilter/nf_conntrack_max", (in, root) -> {
                    write(root, "sys/net/netfilter/nf_conntrack_max", in);
                    // A max that is no 32-bit number fails the tick naming the file (never "unlimited");
                    // any other is read as a limit the server accepts.
                    Sampler sampler = new Sampler(new ProcRoot(root), Clock.systemUTC());
                    if (number(in).filter(v -> v >= Integer.MIN_VALUE && v <= 0xffffffffL).isPresent()) {
                        assertTrue(sampler.read().limits().orElseThrow().max() >= 0);
                    } else {
                        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, sampler::read);
                        assertTrue(e.getMessage().contains("nf_conntrack_max"), e.getMessage());
                    }
                }),
                new Target("entry table reader", "net/nf_conntrack", (in, root) -> {
                    write(root, "net/nf_conntrack", in);
                    var agg = new ctfleet.agent.sample.EntryAggregator();
                    var read = new ctfleet.agent.procfs.EntryTableReader().fullScan(root.resolve("net/nf_conntrack"), agg);
                    var sample = agg.result(read);
                    long states = sample.states().stream().mapToLong(c -> c.sampled()).sum();
                    assertTrue(states == sample.sampleSize() && sample.parseErrors() >= 0
                            && sample.assured() <= sample.sampleSize(), sample.toString());
                }),
                new Target("whole sampler, entry table", "net/nf_conntrack", (in, root) -> {
                    write(root, "net/nf_conntrack", in);
                    new Sampler(new ProcRoot(root), Clock.systemUTC()).read();
                }),
                new Target("meminfo parser", "meminfo", (in, root) -> {
                    MemInfo m = MeminfoParser.parse(new String(in, StandardCharsets.ISO_8859_1));
                    assertTrue(m.parseErrors() >= 0 && m.memTotalBytes().orElse(1) > 0, m.toString());
                }),
                new Target("whole sampler, meminfo", "meminfo", (in, root) -> {
                    write(root, "meminfo", in);
                    new Sampler(new ProcRoot(root), Clock.systemUTC()).read();
                }));
    }

    static void checkStat(StatTable t) {
        assertTrue(t.entries() >= 0 && t.cpus() >= 0 && t.parseErrors() >= 0, t.toString());
        // Keys the server accepts (a-z 0-9 _, 1 to 64): anything else would get every sample refused.
        t.counters().forEach((k, v) -> assertTrue(v >= 0 && k.matches("[a-z0-9_]{1,64}"), k + "=" + v));
    }

    @Test
    void mutatedAndRandomProcFilesNeverBreakAReader() throws Exception {
        for (Target target : targets()) {
            List<byte[]> seeds = seeds(target.file());
            Path root = tmp.resolve(target.name().replace(' ', '-'));
            copyTree(FIXTURES.resolve("new-kernel-4cpu"), root);
            Mutator m = new Mutator(SEED ^ target.name().hashCode());
            int[] tried = {0};
            assertTimeoutPreemptively(HANG, () -> {
                long end = System.nanoTime() + BUDGET.toNanos();
                while (tried[0] < MAX_INPUTS && (tried[0] < MIN_INPUTS || System.nanoTime() < end)) {
                    byte[] input = tried[0] % 10 == 9
                            ? m.randomBytes(m.random().nextInt(4096))
                            : m.mutate(seeds.get(m.random().nextInt(seeds.size())));
                    try {
                        target.check().run(input, root);
                    } catch (IOException e) {
                        fail(target.name() + ": an I/O error from a regular file's content: " + e, e);
                    } catch (Throwable e) {
                        fail(target.name() + " threw on input #" + tried[0] + " (seed " + SEED + "): " + e, e);
                    }
                    tried[0]++;
                }
            }, target.name() + " hung");
            System.out.println("fuzz /proc [" + target.name() + "]: " + tried[0] + " inputs, no failure");
            assertTrue(tried[0] >= MIN_INPUTS, target.name() + ": stopped early at " + tried[0] + " inputs");
        }
    }

    static List<byte[]> seeds(String file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> cases = Files.list(FIXTURES)) {
            for (Path c : cases.sorted().toList()) {
                Path f = c.resolve(file);
                if (Files.isRegularFile(f)) {
                    out.add(Files.readAllBytes(f));
                }
            }
        }
        assertTrue(!out.isEmpty(), "no fixture for " + file);
        return out;
    }

    static void write(Path root, String file, byte[] content) throws IOException {
        Path f = root.resolve(file);
        Files.createDirectories(f.getParent());
        Files.write(f, content);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** What a sysctl file holding {@code in} says, by the kernel's format: one decimal number. */
    private static Optional<Long> number(byte[] in) {
        try {
            return Optional.of(Long.parseLong(new String(in, StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
