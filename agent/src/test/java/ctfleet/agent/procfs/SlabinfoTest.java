package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SlabinfoTest {

    private static String slabinfo(String caseName) throws IOException {
        return Files.readString(Fixtures.proc(caseName).resolve("slabinfo"));
    }

    @Test
    void readsTheObjectSizeColumnOfTheConntrackCache() throws IOException {
        // Linux 6.18: nf_conntrack 64 128 256 16 1 (kmalloc-256 has the same size; the name decides).
        assertEquals(OptionalLong.of(256), Slabinfo.conntrackObjectSize(slabinfo("slabinfo-root")));
    }

    @Test
    void findsThePerNamespaceCacheOfOldKernelsButNotTheExpectationCache() throws IOException {
        assertEquals(OptionalLong.of(320), Slabinfo.conntrackObjectSize(slabinfo("slabinfo-old-kernel")));
    }

    @Test
    void absentWhenConntrackIsNotLoaded() {
        String text = "slabinfo - version: 2.1\nkmalloc-256  832  832  256  16  1 : tunables 0 0 0 : slabdata 52 52 0\n";
        assertEquals(OptionalLong.empty(), Slabinfo.conntrackObjectSize(text));
    }

    @Test
    void absentWhenTheLineIsMangled() {
        assertEquals(OptionalLong.empty(), Slabinfo.conntrackObjectSize("nf_conntrack 1 2\n"));
        assertEquals(OptionalLong.empty(), Slabinfo.conntrackObjectSize("nf_conntrack 1 2 big 16 1\n"));
        assertEquals(OptionalLong.empty(), Slabinfo.conntrackObjectSize(""));
    }

    @Test
    void measuredSizeIsNotAnEstimate() throws IOException {
        assertEquals(new BytesPerEntry(256, false), Slabinfo.bytesPerEntry(Optional.of(slabinfo("slabinfo-root"))));
    }

    @Test
    void unreadableSlabinfoFallsBackToAFlaggedEstimate() {
        BytesPerEntry estimate = Slabinfo.bytesPerEntry(Optional.empty());
        assertTrue(estimate.estimated());
        assertEquals(Slabinfo.ESTIMATED_BYTES_PER_ENTRY, estimate.bytes());
        assertTrue(Slabinfo.bytesPerEntry(Optional.of("slabinfo - version: 2.1\n")).estimated());
    }
}
