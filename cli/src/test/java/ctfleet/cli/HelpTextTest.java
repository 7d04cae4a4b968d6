package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command list of {@code ctfleet --help} shows each command's first description line alone: a
 * line broken mid-sentence read "a reader and an" and "print the line to add" there.
 */
class HelpTextTest {
    @Test
    void everyCommandsFirstDescriptionLineIsASentence() {
        List<String> failures = new ArrayList<>();
        check(Cli.commandLine(), "ctfleet", failures);
        assertEquals(List.of(), failures);
    }

    @Test
    void theMainHelpListsNoCommandCutShort() {
        String help = Cli.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(help.contains("gen-certs"), help);
        assertTrue(!help.contains("a reader and an\n") && !help.contains("the line to add\n"), help);
    }

    private static void check(CommandLine cl, String path, List<String> failures) {
        for (var e : cl.getSubcommands().entrySet()) {
            String name = path + " " + e.getKey();
            String[] d = e.getValue().getCommandSpec().usageMessage().description();
            if (d.length > 0 && !d[0].strip().matches(".*[.)]$")) {
                failures.add(name + ": '" + d[0] + "'");
            }
            check(e.getValue(), name, failures);
        }
    }
}
