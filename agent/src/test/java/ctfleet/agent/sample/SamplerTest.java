package ctfleet.agent.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.procfs.ProcRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
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
}
