package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SysctlReaderTest {
    static final Path PROC = Path.of("src/test/resources/proc");

    @Test
    void readsLimitsAndTimeouts() throws Exception {
        SysctlReader r = new SysctlReader(new ProcRoot(PROC.resolve("new-kernel-4cpu")));
        Limits l = r.limits().orElseThrow();
        assertEquals(250000, l.count());
        assertEquals(262144, l.max());
        assertEquals(65536, l.buckets());
        assertEquals(4096, l.expectMax());
        var t = r.timeouts();
        assertEquals(432000L, t.get("tcp_timeout_established"));
        assertEquals(30L, t.get("udp_timeout"));
        assertTrue(t.keySet().stream().allMatch(k -> k.contains("timeout")), t.toString());
    }

    @Test
    void missingCountMeansConntrackNotLoaded() throws Exception {
        SysctlReader r = new SysctlReader(new ProcRoot(PROC.resolve("no-conntrack")));
        assertTrue(r.limits().isEmpty());
        assertTrue(r.timeouts().isEmpty());
    }

    @Test
    void readsARealSysctlInOneReadNotByteByByte() throws Exception {
        // procfs sysctls answer only the first read(2); a reader that starts with a tiny read sees "2"
        // for 262144. pid_max exists on every Linux and is usually several digits.
        Path pidMax = Path.of("/proc/sys/kernel/pid_max");
        Process cat = new ProcessBuilder("cat", pidMax.toString()).start();
        String expected = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, cat.waitFor());
        assertTrue(expected.trim().length() > 1);
        assertEquals(expected, ProcRoot.readSmall(pidMax).orElseThrow());
        assertTrue(Files.size(pidMax) == 0, "procfs reports size 0, which is what trips readAllBytes");
    }
}
