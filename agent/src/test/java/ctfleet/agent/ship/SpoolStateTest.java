package ctfleet.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolStateTest {
    @TempDir
    Path tmp;

    @Test
    void formatParsesBack() {
        SpoolState s = new SpoolState(123456789012L, 42);
        assertEquals(Optional.of(s), SpoolState.parse(s.format()));
    }

    @Test
    void unknownKeysAreIgnoredAndMissingOnesRejected() {
        assertEquals(Optional.of(new SpoolState(7, 3)), SpoolState.parse("future=1\nacked=7\ndropped=3\n"));
        assertEquals(Optional.empty(), SpoolState.parse("acked=7\n"));
        assertEquals(Optional.empty(), SpoolState.parse("acked=-1\ndropped=0\n"));
        assertEquals(Optional.empty(), SpoolState.parse(""));
        assertEquals(Optional.empty(), SpoolState.parse("acked=banana\ndropped=0\n"));
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTempFile() throws IOException {
        new SpoolState(1, 2).write(tmp);
        new SpoolState(5, 0).write(tmp);
        assertEquals(Optional.of(new SpoolState(5, 0)), SpoolState.read(tmp));
        assertFalse(Files.exists(tmp.resolve(SpoolState.TEMP_FILE)));
    }

    @Test
    void missingFileIsANewSpool() throws IOException {
        Optional<SpoolState> s = SpoolState.read(tmp);
        assertTrue(s.isPresent());
        assertEquals(SpoolState.EMPTY, s.get());
    }
}
