package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.common.Version;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** README, Usage: every command answers --version, with the product's version. */
class VersionTest {
    @Test
    void everyCommandPrintsTheProductVersion() {
        List<String> failures = new ArrayList<>();
        List<List<String>> paths = new ArrayList<>();
        paths.add(List.of());
        collect(Cli.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() > 13, "the tree: " + paths);
        for (List<String> path : paths) {
            if (path.equals(List.of("help"))) {
                continue; // picocli's help command has no options of its own: "help --version" is "help for --version"
            }
            List<String> args = new ArrayList<>(path);
            args.add("--version");
            StringWriter out = new StringWriter();
            CommandLine cl = Cli.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(new StringWriter(), true));
            int code = cl.execute(args.toArray(String[]::new));
            if (code != 0 || !out.toString().strip().equals("ctfleet " + Version.VERSION)) {
                failures.add(String.join(" ", args) + " -> exit " + code + ": '" + out.toString().strip() + "'");
            }
        }
        assertEquals(List.of(), failures);
    }

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> paths) {
        for (var e : cl.getSubcommands().entrySet()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            paths.add(path);
            collect(e.getValue(), path, paths);
        }
    }
}
