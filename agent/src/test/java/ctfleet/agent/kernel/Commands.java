package ctfleet.agent.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Runs a host command to completion with a deadline. */
final class Commands {

    private Commands() {
    }

    /**
     * Output goes to temp files rather than pipes: a command that fills the stderr pipe while
     * we block on stdout would otherwise hang until the timeout.
     */
    static CommandResult run(List<String> command, String stdin, Duration timeout) {
        return run(command, stdin, timeout, ConcurrentHashMap.newKeySet());
    }

    /** As above; the process sits in {@code live} while it runs, so a shutdown hook can kill it. */
    static CommandResult run(List<String> command, String stdin, Duration timeout, Set<Process> live) {
        Path out = null;
        Path err = null;
        Path in = null;
        Process process = null;
        try {
            out = Files.createTempFile("ctf-cmd", ".out");
            err = Files.createTempFile("ctf-cmd", ".err");
            in = Files.createTempFile("ctf-cmd", ".in");
            Files.writeString(in, stdin);
            process = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            live.add(process);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                return new CommandResult(command, -1, Files.readString(out),
                        "timed out after " + timeout + "\n" + Files.readString(err));
            }
            return new CommandResult(command, process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        } finally {
            if (process != null) {
                live.remove(process);
            }
            deleteQuietly(out);
            deleteQuietly(err);
            deleteQuietly(in);
        }
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a leftover temp file is harmless; the command's result matters more
            }
        }
    }
}
