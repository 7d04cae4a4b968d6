package ctfleet.common;

import picocli.CommandLine;

/**
 * The standalone commands' answer to a failure: one line naming the command, never a stack trace
 * unless {@code CTFLEET_DEBUG} is set (README, Usage).
 */
public final class OneLineErrors {
    private OneLineErrors() {}

    /** @param command as the user typed it, e.g. "ctfleet agent" */
    public static CommandLine.IExecutionExceptionHandler handler(String command) {
        return (e, cmd, parsed) -> {
            cmd.getErr().println(command + ": " + e.getMessage());
            if (System.getenv("CTFLEET_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        };
    }
}
