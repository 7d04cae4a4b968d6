package ctfleet.agent.kernel;

import java.util.List;

/** What a finished command left behind. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** stdout, or an exception that carries the command and its stderr so a failing test explains itself. */
    public String stdoutOrThrow() {
        if (!succeeded()) {
            throw new IllegalStateException(describe());
        }
        return stdout;
    }

    public String describe() {
        return String.join(" ", command) + " exited " + exitCode
                + (stderr.isBlank() ? "" : ": " + stderr.strip());
    }
}
