package ctfleet.cli;

import ctfleet.client.ClientSecurityOptions;
import ctfleet.client.ServerAddress;
import ctfleet.common.HostPort;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --server} option every query command shares, and the channel it opens. */
public final class ServerOption {
    @Option(names = "--server", paramLabel = "HOST:PORT",
            description = "ctfleet server (default: $CTFLEET_SERVER or " + ServerAddress.DEFAULT + ").")
    String server;

    @Mixin
    ClientSecurityOptions security;

    public HostPort address() {
        try {
            return ServerAddress.resolve(server);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    /** A channel whose calls fail fast with a deadline rather than hanging on an absent server. */
    public ManagedChannel open() {
        HostPort at = address();
        try {
            return security.openExplained(at, msg -> System.err.println("ctfleet: " + msg));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    public static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
