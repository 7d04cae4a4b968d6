package ctfleet.cli;

import ctfleet.common.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ctfleet}: the command tree. {@code server} and {@code agent} are run by the launcher from their own jars. */
@Command(name = "ctfleet", mixinStandardHelpOptions = true, versionProvider = CtfleetCommand.VersionInfo.class,
        description = {"Fleet monitor for Linux connection tracking (nf_conntrack).", "",
            "Also: ctfleet server --listen HOST:PORT --db DIR   and   ctfleet agent --server HOST:PORT"},
        subcommands = {TopCommand.class, HostCommand.class, HistoryCommand.class, CapacityCommand.class,
            SummaryCommand.class, CheckCommand.class, ImportCommand.class, AdminCommand.class, DemoCommand.class, GenCertsCommand.class, GenTokenCommand.class, SimulateCommand.class, CommandLine.HelpCommand.class,
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
