package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysctlReaderTest {
    static final Path PROC = Path.of("src/test/resources/proc");

    @TempDir
    Path tmp;

    /** A procfs root holding only these netfilter sysctls (name without prefix, file text). */
    private ProcRoot sysctls(String... nameAndText) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sys/net/netfilter"));
        for (int i = 0; i < nameAndText.length; i += 2) {
            Files.writeString(dir.resolve("nf_conntrack_" + nameAndText[i]), nameAndText[i + 1]);
        }
        return new ProcRoot(tmp);
    }

    @Test
    void aNegativeLimitIsTheUnsignedValueTheKernelMeans() throws Exception {
        // Older kernels handle these unsigned ints with proc_dointvec: -1 can be written and reads back as -1.
        Limits l = new SysctlReader(sysctls("count", "-2\n", "max", "-1\n", "buckets", "-1\n", "expect_max", "-1\n"))
                .limits().orElseThrow();
        assertEquals(4294967295L, l.max(), "-1 is 2^32-1, in effect no limit; never a refused sample");
        assertEquals(4294967295L, l.buckets());
        assertEquals(4294967295L, l.expectMax());
        assertEquals(4294967294L, l.count());
    }

    @Test
    void aNegativeTimeoutIsLeftOutNotSent() throws Exception {
        var t = new SysctlReader(sysctls("count", "1\n", "tcp_timeout_established", "-5\n", "udp_timeout", "30\n"))
                .timeouts();
        assertEquals(java.util.Map.of("udp_timeout", 30L), t);
    }

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
    void aLimitThatIsNotANumberFailsTheReadNamingTheFileRatherThanReadingAsUnlimited() throws Exception {
        var e = assertThrows(java.io.IOException.class,
                () -> new SysctlReader(sysctls("count", "5\n", "max", "abc\n")).limits());
        assertTrue(e.getMessage().contains("nf_conntrack_max") && e.getMessage().contains("'abc' is not a number"),
                e.getMessage());
    }

    @Test
    void anEmptyCountIsAnErrorNotConntrackNotLoaded() throws Exception {
        var e = assertThrows(java.io.IOException.class, () -> new SysctlReader(sysctls("count", "")).limits());
        assertTrue(e.getMessage().contains("nf_conntrack_count"), e.getMessage());
    }

    @Test
    void aMaxBeyond32BitsIsAnErrorNotAWrappedValue() throws Exception {
        var e = assertThrows(java.io.IOException.class,
                () -> new SysctlReader(sysctls("count", "5\n", "max", "18446744073709551616\n")).limits());
        assertTrue(e.getMessage().contains("nf_conntrack_max"), e.getMessage());
        var big = assertThrows(java.io.IOException.class,
                () -> new SysctlReader(sysctls("count", "5\n", "max", "4294967296\n")).limits());
        assertTrue(big.getMessage().contains("out of range"), big.getMessage());
    }

    @Test
    void anyNonZeroAcctIsOnEvenBeyond32Bits() throws Exception {
        assertEquals(1, new SysctlReader(sysctls("count", "1\n", "acct", "4294967296\n")).limits().orElseThrow().acct(),
                "2^32 cut to an int would be 0: off");
        assertEquals(1, new SysctlReader(sysctls("count", "1\n", "acct", "2\n")).limits().orElseThrow().acct());
        assertEquals(0, new SysctlReader(sysctls("count", "1\n", "acct", "0\n")).limits().orElseThrow().acct());
    }

    @Test
    void ipv6DefragmentationsTimeoutIsNotAConntrackTimeout() throws Exception {
        // Linux 6.x: nf_defrag_ipv6 registers nf_conntrack_frag6_timeout (and _low/_high_thresh) beside ours.
        var t = new SysctlReader(sysctls("count", "1\n", "frag6_timeout", "60\n", "frag6_high_thresh", "4194304\n",
                "udp_timeout", "30\n", "tcp_timeout_established", "432000\n")).timeouts();
        assertEquals(java.util.Map.of("udp_timeout", 30L, "tcp_timeout_established", 432000L), t);
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
