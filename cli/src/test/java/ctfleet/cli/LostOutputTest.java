package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output that could not be written is an error (exit 1, one line); a reader that left (EPIPE) is not. */
class LostOutputTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskIsAnError() throws Exception {
        CliProcess.Result r = CliProcess.here().stdout(ProcessBuilder.Redirect.to(new File("/dev/full")))
                .run("top", "--help");
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("cannot write the output to standard output: No space left on device"), r.err());
    }

    @Test
    void aClosedStdoutIsAnError() throws Exception {
        Shell r = shell(">&-");
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("cannot write the output to standard output"), r.err);
    }

    @Test
    void aReaderThatLeavesIsNot() throws Exception {
        // 'true' exits without reading: every write after that is EPIPE, as after "| head -1".
        Shell r = shell("| (sleep 0; true); exit ${PIPESTATUS[0]}");
        assertEquals(0, r.code, r.err);
        assertEquals("", r.err);
    }

    record Shell(int code, String err) {}

    /** The CLI printing much more than a pipe buffer holds (the bash completion script), its stdout as given. */
    Shell shell(String redirect) throws Exception {
        List<String> cmd = new ArrayList<>();
        for (String a : CliProcess.here().commandLine("generate-completion")) {
            cmd.add("'" + a + "'");
        }
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder("bash", "-c", String.join(" ", cmd) + " " + redirect)
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Shell(p.exitValue(), Files.readString(err));
    }
}
