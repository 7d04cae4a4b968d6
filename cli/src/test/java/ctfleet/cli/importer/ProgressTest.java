package ctfleet.cli.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void lineShowsHostsSamplesRateAndEta() {
        String line = Progress.line(new Progress.Snapshot(10, 40, 1_200_000, 25, 100, 60_000_000_000L));
        assertEquals("import: hosts 10/40, 1,200,000 samples, 20,000 samples/s, ETA 3m", line);
    }

    @Test
    void onATerminalTheLineIsRewrittenInPlaceInALogItIsThrottledToPlainLines() {
        long[] now = {0};
        var term = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(term, true, StandardCharsets.UTF_8), true, () -> now[0]);
        var log = new ByteArrayOutputStream();
        Progress q = new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false, () -> now[0]);
        var s = new Progress.Snapshot(1, 2, 10, 1, 2, 1_000_000_000L);
        for (int i = 0; i < 40; i++) {
            now[0] += 250_000_000L; // 10 s in all
            p.update(s);
            q.update(s);
        }
        p.finish();
        String t = term.toString(StandardCharsets.UTF_8);
        assertTrue(t.startsWith("\rimport: hosts 1/2"), t);
        assertEquals(0, t.chars().filter(c -> c == '\n').count(), "no new lines on a terminal");
        assertEquals(2, log.toString(StandardCharsets.UTF_8).lines().count(), "one line per 5 s in a log");
    }
}
