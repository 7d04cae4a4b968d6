package ctfleet.agent.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.procfs.MemInfo;
import ctfleet.agent.procfs.ProcRoot;
import ctfleet.agent.ship.SampleEncoder;
import ctfleet.proto.v1.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplerTest {
    @TempDir
    Path tmp;

    @Test
    void anUnreadableEntryTableCostsOnlyTheBreakdown() throws Exception {
        // Unprivileged agents cannot read /proc/net/nf_conntrack (0440 root). Root ignores file modes,
        // so the test makes the path unreadable for everyone: a directory where the file should be.
        Path root = tmp.resolve("proc");
        Path fixture = Path.of("src/test/resources/proc/new-kernel-4cpu");
        try (Stream<Path> walk = Files.walk(fixture)) {
            for (Path p : walk.toList()) {
                Path to = root.resolve(fixture.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.createDirectories(root.resolve("net/nf_conntrack"));
        Reading r = new Sampler(new ProcRoot(root), Clock.systemUTC()).read();
        assertTrue(r.entries().isEmpty());
        assertEquals(250000, r.limits().orElseThrow().count(), "every other figure is still read");
        assertEquals(12, r.stats().orElseThrow().counters().get("early_drop"));
    }

    @Test
    void memTotalComesFromMeminfoAndAMissingOrBrokenOneIsNotFatal() throws Exception {
        Path root = copy("new-kernel-4cpu");
        Reading without = new Sampler(new ProcRoot(root), Clock.systemUTC()).read();
        assertEquals(MemInfo.MISSING, without.memInfo(), "no meminfo in this root: unknown, the tick goes on");
        assertEquals(250000, without.limits().orElseThrow().count());

        Files.copy(Path.of("src/test/resources/proc/meminfo-linux-6.18/meminfo"), root.resolve("meminfo"));
        Reading with = new Sampler(new ProcRoot(root), Clock.systemUTC()).read();
        assertEquals(OptionalLong.of(24_683_748L * 1024), with.memInfo().memTotalBytes());
        Sample wire = SampleEncoder.encode(with, true);
        assertEquals(24_683_748L * 1024, wire.getMemTotalBytes());

        Files.writeString(root.resolve("meminfo"), "MemTotal: lots\n");
        Reading broken = new Sampler(new ProcRoot(root), Clock.systemUTC()).read();
        assertEquals(new MemInfo(OptionalLong.empty(), 1), broken.memInfo());
        Sample brokenWire = SampleEncoder.encode(broken, false);
        assertFalse(brokenWire.hasMemTotalBytes(), "unknown is absent on the wire, not 0");
        assertEquals(1, brokenWire.getMeminfoParseErrors());
        assertEquals(250000, broken.limits().orElseThrow().count());
    }

    @Test
    void aStatTableWithABadCpuRowGoesOnTheWireWithoutSumsButWithItsErrorCount() throws Exception {
        Reading r = new Sampler(new ProcRoot(Path.of("src/test/resources/proc/stat-truncated-cpu-row")),
                Clock.systemUTC()).read();
        Sample wire = SampleEncoder.encode(r, true);
        assertEquals(0, wire.getStatsCount(), "no partial sums: " + wire.getStatsMap());
        assertEquals(1, wire.getStatParseErrors());
        assertEquals(5, wire.getCount(), "the rest of the tick is still sent");
    }

    private Path copy(String fixtureName) throws IOException {
        Path root = tmp.resolve(fixtureName);
        Path fixture = Path.of("src/test/resources/proc").resolve(fixtureName);
        try (Stream<Path> walk = Files.walk(fixture)) {
            for (Path p : walk.toList()) {
                Path to = root.resolve(fixture.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return root;
    }
}
