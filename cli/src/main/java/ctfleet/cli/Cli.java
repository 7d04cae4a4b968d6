package ctfleet.cli;

import ctfleet.client.StatusText;
import ctfleet.common.Durations;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Entry point: builds the command tree and turns failures into one-line messages and exit codes. */
public final class Cli {
    private Cli() {}

    public static void main(String[] args) {
        ctfleet.common.Logging.quietClient();
        Stdout stdout = Stdout.open();
        CommandLine cl = commandLine();
        PrintWriter out = stdout.writer();
        cl.setOut(out);
        int code = cl.execute(args);
        out.flush();
        String lost = stdout.lost();
        if (lost != null) {
            System.err.println("ctfleet: cannot write the output to standard output: " + lost);
            System.exit(1);
        }
        System.exit(code);
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CtfleetCommand());
        cl.setExecutionExceptionHandler(Cli::handle);
        cl.setParameterExceptionHandler(Cli::usage);
        sameVersion(cl, new CtfleetCommand.VersionInfo());
        return cl;
    }

    // picocli gives a subcommand no version of its own (its --version prints nothing) and
    // generate-completion picocli's: every part of ctfleet is the product's version.
    private static void sameVersion(CommandLine cl, CommandLine.IVersionProvider version) {
        cl.getCommandSpec().versionProvider(version);
        cl.getSubcommands().values().forEach(sub -> sameVersion(sub, version));
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

    /** The longest history a query may ask for: the server keeps nothing longer (its retention is capped there too). */
    static final Duration MAX_RANGE = Duration.ofDays(3650);
    /** What an agent may call its host (the same rule the agent and the server apply). */
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    /** What a host label may be called (the same rule the server applies to an agent's labels). */
    static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * A span of history (--window, --since, --horizon) in whole seconds: at least 1 s and at most
     * {@link #MAX_RANGE}. Zero is not "the default": the server would read it that way and answer
     * for an hour nobody asked about.
     */
    static long range(String text, String flag) {
        if (text != null && text.trim().startsWith("-")) {
            throw new UsageError(flag + " must be positive (1s to 3650d), got " + text);
        }
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (Durations.TooLong e) {
            d = MAX_RANGE.plusSeconds(1);
        } catch (IllegalArgumentException e) {
            throw new UsageError(flag + ": " + e.getMessage());
        }
        if (d.toSeconds() < 1) {
            throw new UsageError(flag + " must be at least 1s, got " + text);
        }
        if (d.compareTo(MAX_RANGE) > 0) {
            throw new UsageError(flag + " must be at most 3650d (10y): no server keeps more history, got " + text);
        }
        return d.toSeconds();
    }

    /** An empty report: with --label, the filter is why, not the fleet (65 hosts may have reported). */
    static String noHosts(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "no hosts have reported yet";
        }
        StringBuilder b = new StringBuilder();
        labels.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append("--label ").append(k).append('=').append(v));
        return "no host matches the label filter " + b;
    }

    /** A host id as the agent sends it, checked before any call so that a typo is not a "no such host". */
    static String hostId(String id) {
        if (id == null || !HOST_ID.matcher(id).matches()) {
            String shown = id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "... (" + id.length() + " characters)" : id;
            throw new UsageError("host id '" + shown + "': use 1 to 253 of A-Z a-z 0-9 . _ -");
        }
        return id;
    }

    /** --label filters: each KEY a label name, so that "=x" or a typo is not a filter that matches nothing. */
    static Map<String, String> labels(Map<String, String> labels) {
        for (var e : labels.entrySet()) {
            if (!LABEL_NAME.matcher(e.getKey()).matches()) {
                throw new UsageError("--label " + e.getKey() + "=" + e.getValue()
                        + ": KEY must match [A-Za-z_][A-Za-z0-9_]* (at most 63 characters)");
            }
        }
        return labels;
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
            err.println("ctfleet " + cmd.getCommandName() + ": " + describe(s));
            return cmd.getCommand() instanceof ExitCodes codes ? codes.unreachable() : 1;
        }
        err.println("ctfleet " + cmd.getCommandName() + ": " + (e instanceof java.nio.file.FileSystemException f
                ? "cannot create " + f.getFile() + ": " + ctfleet.common.FileErrors.reason(f) : e.getMessage()));
        if (System.getenv("CTFLEET_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return 1;
    }

    /** Set by the server on an answer that is about its database, not about reaching it (server.health.StoreStatus). */
    static final Metadata.Key<String> STORE_FAULT = Metadata.Key.of("ctfleet-store-fault", Metadata.ASCII_STRING_MARSHALLER);

    /** One line for a failed call: the server's own sentence when it is about its database. */
    static String describe(StatusRuntimeException e) {
        Metadata trailers = e.getTrailers();
        if (trailers != null && trailers.containsKey(STORE_FAULT) && e.getStatus().getDescription() != null) {
            return e.getStatus().getDescription();
        }
        return describe(e.getStatus());
    }

    static String describe(Status s) {
        String host = StatusText.unresolvedHost(s);
        if (host != null) {
            return "cannot reach the server: cannot resolve host " + host + " (check --server or $CTFLEET_SERVER)";
        }
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
