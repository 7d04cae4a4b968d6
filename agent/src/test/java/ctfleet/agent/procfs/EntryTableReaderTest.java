package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntryTableReaderTest {

    private final EntryTableReader reader = new EntryTableReader();

    /** Records what the reader hands over. */
    private static class Recorder implements EntryListener {
        final List<ConntrackEntry> entries = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();

        @Override
        public void onEntry(ConntrackEntry entry, byte[] line, int off, int len) {
            entries.add(entry);
            lines.add(new String(line, off, len, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onMalformed(byte[] line, int off, int len, String reason) {
            reasons.add(reason);
        }
    }

    private static List<String> realLines() throws IOException {
        return Files.readAllLines(Fixtures.entryTable("linux-6.18-netns"), StandardCharsets.ISO_8859_1);
    }

    @Test
    void fullScanReadsEveryLineOfARealTable() throws IOException {
        Recorder r = new Recorder();
        ReadSummary s = reader.fullScan(Fixtures.entryTable("linux-6.18-netns"), r);
        assertEquals(new ReadSummary(25, 25, 0, true, Optional.empty()), s);
        assertEquals(realLines(), r.lines);
    }

    @Test
    void sampleStopsAfterItsLinesAndSaysItDidNotSeeTheWholeTable() throws IOException {
        Recorder r = new Recorder();
        ReadSummary s = reader.sample(Fixtures.entryTable("linux-6.18-netns"), 10, r);
        assertEquals(10, s.lines());
        assertEquals(10, s.entries());
        assertFalse(s.wholeTable());
        assertEquals(realLines().subList(0, 10), r.lines);
    }

    @Test
    void sampleLargerThanTheTableCoversTheWholeTable() throws IOException {
        ReadSummary s = reader.sample(Fixtures.entryTable("linux-6.18-netns"), 2000, new Recorder());
        assertEquals(25, s.entries());
        assertTrue(s.wholeTable());
    }

    @Test
    void badLinesAreCountedAndSkippedWithoutStoppingTheRead() throws IOException {
        Recorder r = new Recorder();
        ReadSummary s = reader.fullScan(Fixtures.entryTable("malformed-lines"), r);
        assertEquals(15, s.lines());
        assertEquals(4, s.entries());
        assertEquals(11, s.parseErrors());
        assertEquals(11, r.reasons.size());
        assertTrue(s.wholeTable());
        assertTrue(s.firstError().orElseThrow().startsWith("line 2: "), s.firstError().get());
        assertEquals(List.of("tcp", "udp", "icmpv6", "gre"), r.entries.stream().map(ConntrackEntry::protocol).toList());
        assertTrue(r.reasons.contains("line too long"), r.reasons.toString());
    }

    @Test
    void malformedLinesCountTowardsTheSampleLimit() throws IOException {
        ReadSummary s = reader.sample(Fixtures.entryTable("malformed-lines"), 3, new Recorder());
        assertEquals(3, s.lines());
        assertEquals(1, s.entries());
        assertEquals(2, s.parseErrors());
    }

    @Test
    void emptyTable() throws IOException {
        Recorder r = new Recorder();
        assertEquals(new ReadSummary(0, 0, 0, true, Optional.empty()),
                reader.fullScan(Fixtures.entryTable("empty-table"), r));
        assertTrue(r.entries.isEmpty());
    }

    @Test
    void linesSpanningBufferBoundariesAllParse(@TempDir Path dir) throws IOException {
        // ~10x the read buffer, so lines are cut at every possible offset across reads.
        List<String> real = realLines();
        List<String> many = new ArrayList<>();
        while (many.size() < 5000) {
            many.addAll(real);
        }
        Path file = dir.resolve("nf_conntrack");
        Files.write(file, many, StandardCharsets.ISO_8859_1);
        Recorder r = new Recorder();
        ReadSummary s = reader.fullScan(file, r);
        assertEquals(many.size(), s.entries());
        assertEquals(0, s.parseErrors());
        assertEquals(many, r.lines);
    }

    @Test
    void aHugeLineAcrossReadsIsSkippedWithoutLosingItsNeighbours(@TempDir Path dir) throws IOException {
        List<String> real = realLines();
        List<String> lines = new ArrayList<>(real);
        lines.add(real.get(0).replace(" use=2", " " + "x".repeat(3 * EntryTableReader.BUFFER_SIZE) + " use=2"));
        lines.addAll(real);
        Path file = dir.resolve("nf_conntrack");
        Files.write(file, lines, StandardCharsets.ISO_8859_1);
        Recorder r = new Recorder();
        ReadSummary s = reader.fullScan(file, r);
        assertEquals(2 * real.size(), s.entries());
        assertEquals(1, s.parseErrors());
        assertEquals(2 * real.size() + 1, s.lines());
        assertEquals(real, r.lines.subList(real.size(), 2 * real.size()));
    }

    @Test
    void aFailingListenerEndsTheFullScanAndItsReadAheadThread(@TempDir Path dir) throws IOException {
        // Far more than the read-ahead ring holds, so the helper thread is blocked on a full ring.
        List<String> many = new ArrayList<>();
        while (many.size() < 20_000) {
            many.addAll(realLines());
        }
        Path file = dir.resolve("nf_conntrack");
        Files.write(file, many, StandardCharsets.ISO_8859_1);
        Recorder failing = new Recorder() {
            @Override
            public void onEntry(ConntrackEntry entry, byte[] line, int off, int len) {
                if (entries.size() == 100) {
                    throw new IllegalStateException("listener gave up");
                }
                super.onEntry(entry, line, off, len);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reader.fullScan(file, failing));
        assertEquals("listener gave up", e.getMessage());
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ctfleet-read-ahead")),
                "read-ahead thread outlived its scan");
        // The reader is still usable afterwards.
        assertEquals(many.size(), reader.fullScan(file, new Recorder()).entries());
    }

    @Test
    void readerIsReusableAcrossTicks() throws IOException {
        Path table = Fixtures.entryTable("linux-6.18-netns");
        ReadSummary first = reader.sample(table, 7, new Recorder());
        ReadSummary second = reader.fullScan(table, new Recorder());
        assertEquals(7, first.entries());
        assertEquals(25, second.entries());
    }

    @Test
    void missingTableIsAnIoErrorForTheCaller(@TempDir Path dir) {
        assertThrows(NoSuchFileException.class, () -> reader.fullScan(dir.resolve("nf_conntrack"), new Recorder()));
    }
}
