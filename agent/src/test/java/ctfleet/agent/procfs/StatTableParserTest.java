package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatTableParserTest {
    static final Path PROC = Path.of("src/test/resources/proc");

    @Test
    void entriesIsTheGlobalCountNotSummedOverCpus() throws Exception {
        StatTable t = StatTableParser.parse(Files.readString(PROC.resolve("new-kernel-4cpu/net/stat/nf_conntrack")));
        assertEquals(4, t.cpus());
        assertEquals(250000, t.entries(), "entries is repeated on every CPU row; 4x would be 1000000");
        assertFalse(t.counters().containsKey("entries"));
    }

    @Test
    void sumsCountersOverCpusByHeaderName() throws Exception {
        StatTable t = StatTableParser.parse(Files.readString(PROC.resolve("new-kernel-4cpu/net/stat/nf_conntrack")));
        assertEquals(3 * 4, t.counters().get("early_drop"));
        assertEquals(1000 + 2000 + 3000 + 4000, t.counters().get("insert"));
        assertEquals(100 + 101 + 102 + 103, t.counters().get("found"));
        assertTrue(t.counters().containsKey("clashres") && t.counters().containsKey("chainlength"));
        assertEquals(0, t.parseErrors());
    }

    @Test
    void oldKernelHeaderIsReadByNameToo() throws Exception {
        StatTable t = StatTableParser.parse(Files.readString(PROC.resolve("old-kernel-2cpu/net/stat/nf_conntrack")));
        assertEquals(32768, t.entries());
        assertTrue(t.counters().containsKey("searched") && t.counters().containsKey("delete_list"));
        assertFalse(t.counters().containsKey("clashres"));
        assertEquals(3000, t.counters().get("insert"));
    }

    @Test
    void aColumnAddedByAFutureKernelIsCarriedNotLost() {
        String text = "entries drop future_thing early_drop\n"
                + "0000000a 00000001 00000005 00000002\n"
                + "0000000a 00000001 00000006 00000000\n";
        StatTable t = StatTableParser.parse(text);
        assertEquals(11, t.counters().get("future_thing"));
        assertEquals(2, t.counters().get("drop"));
        assertEquals(2, t.counters().get("early_drop"));
    }

    @Test
    void countsAreUnsigned32BitPerCpu() {
        StatTable t = StatTableParser.parse("entries drop\n00000001 ffffffff\n00000001 ffffffff\n");
        assertEquals(2L * 0xffffffffL, t.counters().get("drop"));
    }

    @Test
    void aMalformedRowIsCountedAndCostsEverySumNotJustItsCpu() {
        String text = "entries drop early_drop\n"
                + "00000001 00000001 00000001\n"
                + "00000001 zz 00000001\n"
                + "00000001 00000001\n"
                + "00000001 123456789 00000001\n"
                + "00000001 00000002 00000003\n";
        StatTable t = StatTableParser.parse(text);
        assertEquals(2, t.cpus());
        assertEquals(3, t.parseErrors());
        assertTrue(t.counters().isEmpty(), "a sum without some CPUs is smaller and reads as a wrap: " + t.counters());
    }

    @Test
    void aCpuRowCutShortSendsNoSums() throws Exception {
        // Two CPUs, the second row cut mid-way: summing the first alone would halve every counter, which
        // the server reads as a 32-bit wrap (~1.5e9 drops/s in ctfleet history).
        StatTable t = StatTableParser.parse(Files.readString(PROC.resolve("stat-truncated-cpu-row/net/stat/nf_conntrack")));
        assertEquals(1, t.parseErrors());
        assertTrue(t.counters().isEmpty(), t.counters().toString());
        assertEquals(5, t.entries());
    }

    @Test
    void aHeaderWithoutRowsSendsNoSumsAndCountsAnError() {
        StatTable t = StatTableParser.parse("entries drop early_drop\n");
        assertEquals(0, t.cpus());
        assertTrue(t.counters().isEmpty(), "zeros would read as a wrap: " + t.counters());
        assertEquals(1, t.parseErrors());
    }

    @Test
    void emptyFileIsNotFatal() {
        StatTable t = StatTableParser.parse("");
        assertEquals(0, t.cpus());
        assertTrue(t.counters().isEmpty());
    }

    @Test
    void realLinux618CaptureParses() throws Exception {
        String text = String.join("\n", List.of(
                "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart",
                "00000019  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000",
                "00000019  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002  00000000 00000000 00000000 00000000"));
        StatTable t = StatTableParser.parse(text);
        assertEquals(25, t.entries());
        assertEquals(2, t.counters().get("icmp_error"));
        assertEquals(0, t.counters().get("search_restart"));
        assertEquals(16, t.counters().size());
    }
}
