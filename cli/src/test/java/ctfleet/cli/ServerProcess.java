package ctfleet.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real server in its own process, so tests can SIGKILL it mid-stream, and read what it logged. */
final class ServerProcess implements AutoCloseable {
    // close() may be interrupted: tests run it from their own thread only.
    private final Process process;
    private final Path log;

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** What a server that did not start said, and its exit status. */
    record Refusal(int exitCode, String stdout, String stderr) {}

    private static List<String> command(int port, Path db, String... extra) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "ctfleet.server.ServerMain", "--listen", "127.0.0.1:" + port, "--db", db.toString()));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    static ServerProcess start(int port, Path db, String... extra) throws IOException {
        Path log = Files.createTempFile("ctfleet-server-", ".log");
        log.toFile().deleteOnExit();
        Process p = new ProcessBuilder(command(port, db, extra)).redirectError(log.toFile()).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
        if (line == null || !line.startsWith("ctfleet server listening on")) {
            p.destroyForcibly();
            throw new IOException("server did not start: " + line + "; it said: " + Files.readString(log));
        }
        return new ServerProcess(p, log);
    }

    /** Runs a server that is expected not to start: its exit status and output. */
    static Refusal refused(int port, Path db, String... extra) throws Exception {
        Process p = new ProcessBuilder(command(port, db, extra)).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("server neither started nor stopped: " + out + err);
        }
        return new Refusal(p.exitValue(), out, err);
    }

    /** Everything the server wrote to stderr so far (its log). */
    String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGSTOP: the server still holds its port (the kernel accepts connections) but answers nothing. */
    void pause() throws Exception {
        signal("STOP");
    }

    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** kill -9: no shutdown hook, no final commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
