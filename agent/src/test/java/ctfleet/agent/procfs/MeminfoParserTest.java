package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MeminfoParserTest {

    private static String meminfo(String caseName) throws IOException {
        return Files.readString(Fixtures.proc(caseName).resolve("meminfo"));
    }

    @Test
    void readsMemTotalOfARealMeminfoInBytes() throws IOException {
        // The capture's first line is "MemTotal:       24683748 kB"; the kernel's kB are KiB.
        MemInfo m = MeminfoParser.parse(meminfo("meminfo-linux-6.18"));
        assertEquals(OptionalLong.of(24_683_748L * 1024), m.memTotalBytes());
        assertEquals(0, m.parseErrors(), "every line of a real meminfo parses, the unit-less HugePages ones too");
    }

    @Test
    void aMalformedMemTotalIsUnknownAndCountedNotReplacedByALaterLine() throws IOException {
        MemInfo m = MeminfoParser.parse(meminfo("meminfo-malformed"));
        assertEquals(OptionalLong.empty(), m.memTotalBytes());
        assertEquals(2, m.parseErrors(), "the bad MemTotal and the line without a colon");
    }

    @Test
    void missingZeroHugeAndForeignValuesAreNeverAMemTotal() {
        assertEquals(OptionalLong.empty(), MeminfoParser.parse("MemFree: 100 kB\n").memTotalBytes());
        assertEquals(new MemInfo(OptionalLong.empty(), 0), MeminfoParser.parse(""));
        assertEquals(new MemInfo(OptionalLong.empty(), 1), MeminfoParser.parse("MemTotal: 0 kB\n"));
        assertEquals(new MemInfo(OptionalLong.empty(), 1), MeminfoParser.parse("MemTotal: 99999999999999999999 kB\n"));
        assertEquals(new MemInfo(OptionalLong.empty(), 1), MeminfoParser.parse("MemTotal: 4096 MB\n"));
        assertEquals(new MemInfo(OptionalLong.empty(), 1), MeminfoParser.parse("MemTotal: -5 kB\n"));
        assertEquals(new MemInfo(OptionalLong.empty(), 1), MeminfoParser.parse("\u0000\u0001\u0002"));
    }

    @Test
    void toleratesNoTrailingNewlineAndCarriageReturns() {
        MemInfo m = MeminfoParser.parse("MemTotal:        2048 kB\r\nSwapTotal: 0 kB");
        assertEquals(OptionalLong.of(2048L * 1024), m.memTotalBytes());
        assertTrue(m.parseErrors() == 0, m.toString());
    }
}
