package ctfleet.cli;

import ctfleet.agent.ship.StatusText;
import ctfleet.common.Durations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;

/** Entry point: builds the command tree and turns failures into one-line messages and exit codes. */
public final class Cli {
    private Cli() {}

    public static void main(String[] args) {
        ctfleet.common.Logging.quietLibraries();
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CtfleetCommand());
        cl.setExecutionExceptionHandler(Cli::handle);
        cl.setParameterExceptionHandler(Cli::usage);
        return cl;
    }

    static Duration duration(String text, String flag) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageError(flag + ": " + e.getMessage());
        }
    }

    /** A forecast horizon in seconds: more than 0 and at most 30 days, as the server accepts. */
    static long horizon(String text) {
        Duration d = duration(text, "--horizon");
        if (d.isZero() || d.isNegative() || d.compareTo(Duration.ofDays(30)) > 0) {
            throw new UsageError("--horizon: must be more than 0 and at most 30d, got " + text);
        }
        return Math.max(1, d.toSeconds());
    }

    // picocli's default prints either "did you mean" suggestions or the usage; a misspelled command
    // should get both, whichever commands happen to be similar.
    private static int usage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        cmd.usage(err);
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof UsageError) {
            err.println("ctfleet " + cmd.getCommandName() + ": " + e.getMessage());
            cmd.usage(err);
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        }
        if (e instanceof StatusRuntimeException s) {
            err.println("ctfleet " + cmd.getCommandName() + ": " + describe(s.getStatus()));
            return cmd.getCommand() instanceof ExitCodes codes ? codes.unreachable() : 1;
        }
        err.println("ctfleet " + cmd.getCommandName() + ": " + e.getMessage());
        if (System.getenv("CTFLEET_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return 1;
    }

    static String describe(Status s) {
        String d = s.getDescription() == null ? "" : ": " + s.getDescription();
        return switch (s.getCode()) {
            case UNAVAILABLE -> "cannot reach the server (" + StatusText.describe(s) + ")";
            case DEADLINE_EXCEEDED -> "the server did not answer in time";
            case NOT_FOUND -> s.getDescription() == null ? "not found" : s.getDescription();
            case INVALID_ARGUMENT -> "invalid request" + d;
            default -> StatusText.describe(s);
        };
    }

    /** Commands whose exit status for an unreachable server is not 1 (e.g. Nagios-style checks). */
    public interface ExitCodes {
        int unreachable();
    }
}
