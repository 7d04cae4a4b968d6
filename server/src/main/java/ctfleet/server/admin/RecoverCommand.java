package ctfleet.server.admin;

import ctfleet.common.Logging;
import ctfleet.common.Version;
import ctfleet.server.store.Salvage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ctfleet admin recover}: salvages a damaged database into a new directory, offline, on the
 * server's machine. The damaged file is only read. It runs from the server's jar (the launcher sends
 * {@code ctfleet admin recover} here): it is the server's own database code, H2 and Flyway, which the
 * CLI's jar does not carry.
 */
@Command(name = "ctfleet admin recover", mixinStandardHelpOptions = true, versionProvider = RecoverCommand.VersionInfo.class,
        description = {"Copy what can still be read from a damaged database into a new one, and say what was lost.",
            "Run it on the server's machine with the server stopped; --db is only read.",
            "Then start the server with --db NEWDIR: agents replay what their spools still hold."})
public final class RecoverCommand implements Callable<Integer> {
    @Option(names = "--db", paramLabel = "DIR", required = true, description = "The damaged database's directory.")
    Path db;

    @Option(names = "--to", paramLabel = "NEWDIR", required = true,
            description = "Where to create the salvaged database (must not exist, or be empty).")
    Path to;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Logging.quietLibraries();
        System.exit(commandLine().execute(args));
    }

    /** Usage errors print the usage and exit 2; anything else is one line and exit 1. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RecoverCommand());
        cl.setExecutionExceptionHandler(ctfleet.common.OneLineErrors.handler("ctfleet admin recover"));
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Salvage.Report report;
        try {
            report = Salvage.run(db, to, line -> {
                err.println("ctfleet admin recover: " + line);
                err.flush();
            });
        } catch (Salvage.Impossible e) {
            err.println("ctfleet admin recover: " + e.getMessage());
            return 1;
        }
        for (Salvage.TableReport t : report.tables()) {
            String of = t.counted() < 0 ? "" : String.format(" of %,d", t.counted());
            out.printf("%-16s %,d%s rows copied%s%n", t.table().toLowerCase(java.util.Locale.ROOT), t.copied(), of,
                    t.lostRows() > 0 ? String.format(", %,d lost", t.lostRows()) : "");
            for (String lost : t.lost()) {
                out.println("                 unreadable: " + lost);
            }
        }
        for (String p : report.placeholders()) {
            out.println("host " + p + ": its host row was lost; its data is kept under this name");
        }
        out.println((report.lostAnything() ? "salvaged what could be read into " : "copied everything into ")
                + to + "; start the server with --db " + to + " (" + db + " is left as it was)");
        out.flush();
        return 0;
    }

    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ctfleet admin recover " + Version.VERSION};
        }
    }
}
