package ctfleet.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ctfleet ...} in its own JVM through {@link Cli#main}, for what only a real process shows:
 * its working directory, what libraries log on stderr, what happens to its stdout.
 */
final class CliProcess {
    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private String main = "ctfleet.cli.Cli";
    private Path dir = Path.of(".");
    private final Map<String, String> env = new java.util.HashMap<>();
    private ProcessBuilder.Redirect stdout;
    private java.time.Duration timeout = java.time.Duration.ofSeconds(120);

    static CliProcess in(Path dir) {
        CliProcess p = new CliProcess();
        p.dir = dir;
        return p;
    }

    static CliProcess here() {
        return new CliProcess();
    }

    /** {@code ctfleet agent ...}: the agent's own entry point. */
    static CliProcess agent() {
        CliProcess p = new CliProcess();
        p.main = "ctfleet.agent.AgentMain";
        return p;
    }

    CliProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** How long the command may run before the test gives up on it (it is then killed). */
    CliProcess timeout(java.time.Duration limit) {
        timeout = limit;
        return this;
    }

    /** Where stdout goes (e.g. {@code /dev/full}); by default it is captured. */
    CliProcess stdout(ProcessBuilder.Redirect to) {
        stdout = to;
        return this;
    }

    // Without the server's Netty transport, so the CLI talks OkHttp as its own jar does.
    private List<String> command(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", FaultSupport.AgentProcess.agentClassPath(), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The command this would run, for a test that runs it through a shell. */
    List<String> commandLine(String... args) {
        return command(args);
    }

    Result run(String... args) throws Exception {
        Path out = Files.createTempFile("ctfleet-cli-", ".out");
        Path err = Files.createTempFile("ctfleet-cli-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command(args)).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout != null ? stdout : ProcessBuilder.Redirect.to(out.toFile()))
                    .redirectError(err.toFile());
            pb.environment().remove("CTFLEET_DEBUG");
            pb.environment().remove("CTFLEET_SERVER");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("ctfleet " + String.join(" ", args) + " did not finish in " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
