package ctfleet.cli;

import ctfleet.cli.backup.BackupDownload;
import ctfleet.cli.backup.Liveness;
import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.BackupResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ctfleet admin}: operating the server. Backups need the admin role on a server that
 * identifies its callers. {@code admin recover} works on a database directory, without a server: it
 * is the server's own database code, so the launcher runs it from the server's jar.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"Operate the server (needs the admin role).",
            "Also, on the server's machine with the server stopped (from the server's jar):",
            "  ctfleet admin recover --db DIR --to NEWDIR   salvages a damaged database"},
        subcommands = {AdminCommand.Backup.class})
public final class AdminCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an admin command (backup, recover)");
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Take an online, consistent backup of the server's database into FILE on THIS machine.",
                "The server streams it; FILE must not exist, and appears only once the whole archive has"
                    + " arrived and checked out. With --on-server the server keeps the copy instead, under its"
                    + " --backup-dir, and prints where.",
                "Restore: stop the server, unzip FILE into an empty --db directory, start the server."})
    static final class Backup implements Callable<Integer> {
        /** How long the server may send nothing before the CLI asks whether it is still there (Liveness). */
        static final Duration QUIET = Liveness.QUIET;

        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "FILE", arity = "0..1", description = "Zip file to create on this machine.")
        Path file;

        @Option(names = "--on-server", description = "Keep the backup on the server's machine, under its --backup-dir.")
        boolean onServer;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (onServer == (file != null)) {
                throw new UsageError(onServer ? "--on-server takes no FILE: the server names its copy"
                        : "name the FILE to write the backup to (or give --on-server)");
            }
            PrintWriter out = spec.commandLine().getOut();
            ManagedChannel ch = server.open();
            try {
                if (onServer) {
                    BackupResponse r = onServer(ch);
                    out.printf("backup kept on the server: %s (%d bytes, %d ms)%n", r.getPath(), r.getBytes(),
                            r.getMillis());
                } else {
                    BackupDownload.Result r;
                    try {
                        r = BackupDownload.download(ch, file, QUIET, BackupDownload.Progress.NONE);
                    } catch (StatusRuntimeException e) {
                        if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                            throw new IllegalStateException("this server is older than the CLI and cannot stream a"
                                    + " backup; upgrade the server");
                        }
                        throw e;
                    }
                    out.printf("backup written to %s (%d bytes, sha256 %s, checked)%n", r.file(), r.bytes(), r.sha256());
                }
                out.flush();
                return 0;
            } finally {
                ServerOption.close(ch);
            }
        }

        /** The server's copy: one long, silent call, watched like the download. */
        private static BackupResponse onServer(ManagedChannel ch) throws Exception {
            Context.CancellableContext call = Context.current().withCancellation();
            Liveness liveness = Liveness.watch(ch, call, QUIET, Liveness.HEALTH_WAIT);
            try {
                return call.call(() -> AdminGrpc.newBlockingStub(ch).backup(BackupRequest.getDefaultInstance()));
            } catch (StatusRuntimeException e) {
                if (liveness.verdict() != null) {
                    throw new IllegalStateException(liveness.verdict() + "; no backup was made");
                }
                throw e;
            } finally {
                liveness.close();
                call.cancel(null);
            }
        }
    }
}
