package ctfleet.cli;

import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.BackupResponse;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ctfleet admin}: operating the server. */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Operate the server.",
        subcommands = {AdminCommand.Backup.class, RecoverCommand.class})
public final class AdminCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an admin command (backup, recover)");
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Write an online, consistent backup of the server's database to FILE.",
                "FILE is a path on the SERVER's machine (the server writes it); it must not exist.",
                "Restore: stop the server, unzip FILE into an empty --db directory, start the server."})
    static final class Backup implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "FILE", description = "Zip file to create on the server's machine.")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            // Resolved here, where the user typed it: the common case is server and CLI on one machine.
            String path = file.toAbsolutePath().normalize().toString();
            ManagedChannel ch = server.open();
            try {
                BackupResponse r = AdminGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.HOURS)
                        .backup(BackupRequest.newBuilder().setPath(path).build());
                spec.commandLine().getOut().printf("backup written on the server: %s (%d bytes, %d ms)%n",
                        r.getPath(), r.getBytes(), r.getMillis());
                spec.commandLine().getOut().flush();
                return 0;
            } finally {
                ServerOption.close(ch);
            }
        }
    }
}
