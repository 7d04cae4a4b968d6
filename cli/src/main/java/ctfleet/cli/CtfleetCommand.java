package ctfleet.cli;

import ctfleet.common.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ctfleet}: the command tree. {@code server}, {@code agent}, {@code simulate} and
 * {@code admin recover} are run by the launcher from their own jars (the server's, the agent's, the
 * simulator's): this jar carries none of them.
 */
@Command(name = "ctfleet", mixinStandardHelpOptions = true, versionProvider = CtfleetCommand.VersionInfo.class,
        description = {"Fleet monitor for Linux connection tracking (nf_conntrack).", "",
            "Also, from their own jars: ctfleet server --listen HOST:PORT --db DIR,   ctfleet agent --server HOST:PORT,",
            "ctfleet simulate --server HOST:PORT --hosts N   and   ctfleet admin recover --db DIR --to NEWDIR"},
        subcommands = {TopCommand.class, HostCommand.class, HistoryCommand.class, CapacityCommand.class,
            SummaryCommand.class, CheckCommand.class, ImportCommand.class, AdminCommand.class, DemoCommand.class,
            GenCertsCommand.class, GenTokenCommand.class, CommandLine.HelpCommand.class,
            picocli.AutoComplete.GenerateCompletion.class})
public final class CtfleetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
    }

    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ctfleet " + Version.VERSION};
        }
    }
}
