package ctfleet.server.auth;

import ctfleet.common.Durations;
import ctfleet.common.FileReloader;
import ctfleet.common.auth.TokenTable;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** The server's security and limit flags, and the listener they make. A picocli mixin of {@code ctfleet server}. */
public final class ServerSecurityOptions {
    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Server certificate chain (PEM); turns TLS on.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Private key of --tls-cert (PKCS#8 PEM).")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "Require client certificates signed by this CA (mutual TLS); an agent may then write only"
                    + " the host id in its certificate.")
    Path tlsClientCa;

    @Option(names = "--client-roles", paramLabel = "FILE",
            description = "With --tls-client-ca: lines of 'reader NAME' or 'admin NAME' giving client certificates"
                    + " (CN or DNS SAN; * within one label) a role; any other certificate is an agent for its names.")
    Path clientRoles;

    @Option(names = "--tokens", paramLabel = "FILE",
            description = "Require bearer tokens: lines of '<sha256 hex> <agent|reader|admin> [name] [hosts=PATTERN,...]'.")
    Path tokens;

    @Option(names = "--insecure", description = "Allow plaintext on a non-loopback address.")
    boolean insecure;

    @Option(names = "--tls-refresh", paramLabel = "DURATION", defaultValue = "1m",
            description = "How often certificate, key, CA, client role and token files are checked for changes"
                    + " (default: ${DEFAULT-VALUE}).")
    String refresh;

    @Option(names = "--max-hosts", paramLabel = "N", description = "Distinct hosts stored (default: 10000).")
    int maxHosts = ServerLimits.DEFAULTS.maxHosts();

    @Option(names = "--max-streams-per-client", paramLabel = "N",
            description = "Open agent streams per client certificate or IP address (default: 4).")
    int maxStreamsPerClient = ServerLimits.DEFAULTS.maxStreamsPerClient();

    @Option(names = "--max-message-bytes", paramLabel = "N", description = "Largest message accepted (default: 1048576).")
    int maxMessageBytes = ServerLimits.DEFAULTS.maxMessageBytes();

    @Option(names = "--clock-skew", paramLabel = "DURATION", defaultValue = "5m",
            description = "How far a sample's timestamp may be ahead of the server's clock (default: ${DEFAULT-VALUE}).")
    String clockSkew;

    /**
     * Checks the flags together and opens everything they name. Flag mistakes (and files that cannot
     * be used) are an {@link IllegalArgumentException} whose message names the flag.
     */
    public SecureListener listen(InetSocketAddress at, Consumer<String> log) {
        ServerLimits limits;
        Duration every;
        try {
            every = Durations.parse(refresh);
            limits = new ServerLimits(maxMessageBytes, maxHosts, maxStreamsPerClient,
                    ServerLimits.DEFAULTS.maxCallsPerConnection(), Durations.parse(clockSkew));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("limits: " + e.getMessage());
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (tlsClientCa != null && tlsCert == null) {
            throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key (mutual TLS is TLS)");
        }
        if (clientRoles != null && tlsClientCa == null) {
            throw new IllegalArgumentException("--client-roles needs --tls-client-ca (it gives client certificates roles)");
        }
        if (clientRoles != null && tokens != null) {
            throw new IllegalArgumentException("--client-roles and --tokens do not go together: with --tokens the token"
                    + " gives the role and the certificate only binds an agent's host ids");
        }
        boolean tls = tlsCert != null;
        plaintextRefusal(at, tls, insecure).ifPresent(msg -> {
            throw new IllegalArgumentException(msg);
        });
        List<String> notices = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        ServerCredentials creds;
        if (tls) {
            try {
                ServerTls t = ServerTls.load(tlsCert, tlsKey, Optional.ofNullable(tlsClientCa), every, log);
                resources.add(t);
                creds = t.credentials();
            } catch (Exception e) {
                throw new IllegalArgumentException("--tls-cert/--tls-key/--tls-client-ca: cannot load "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            notices.add(tlsClientCa != null
                    ? "TLS with client certificates (mutual TLS) signed by " + tlsClientCa
                            + "; an agent may write only the host id in its certificate"
                    : "TLS on; clients are not identified by certificate (no --tls-client-ca)"
                            + (tokens == null ? ": callers off this machine may write and read, not administer" : ""));
        } else {
            creds = InsecureServerCredentials.create();
            // Loopback plaintext is the quiet default (demo, tests); only the network case is worth a word.
            if (at.getAddress() == null || !at.getAddress().isLoopbackAddress()) {
                notices.add("WARNING: plaintext on " + describe(at) + " (--insecure): anyone who can reach it can read"
                        + " what is sent and, without --tokens, write samples for any host");
            }
        }
        Optional<Supplier<TokenTable>> table = Optional.empty();
        if (tokens != null) {
            AtomicReference<TokenTable> current = new AtomicReference<>();
            try {
                resources.add(FileReloader.start(List.of(tokens), every, log,
                        () -> current.set(parseTokens(tokens))));
            } catch (Exception e) {
                throw new IllegalArgumentException("--tokens " + tokens + ": " + e.getMessage());
            }
            table = Optional.of(current::get);
            notices.add("bearer tokens required (" + current.get().size() + " in " + tokens + ")");
            long unbound = current.get().unboundAgentTokens();
            if (unbound > 0) {
                notices.add(unbound + " agent token" + (unbound == 1 ? " binds" : "s bind") + " no host ids (no hosts=):"
                        + (tlsClientCa != null ? " the client certificate binds them" : " any host may be written with it"));
            }
        }
        Supplier<ClientRoles> roles = () -> ClientRoles.NONE;
        if (clientRoles != null) {
            AtomicReference<ClientRoles> current = new AtomicReference<>();
            try {
                resources.add(FileReloader.start(List.of(clientRoles), every, log,
                        () -> current.set(loadRoles(clientRoles, current.get() == null, log))));
            } catch (Exception e) {
                throw new IllegalArgumentException("--client-roles " + clientRoles + ": " + e.getMessage());
            }
            roles = current::get;
            notices.add("client roles from " + clientRoles + " (" + current.get().summary()
                    + "); every other certificate is an agent for the host ids it names");
        } else if (tlsClientCa != null && tokens == null) {
            notices.add("no --client-roles: every client certificate is an agent for the host ids it names"
                    + " (none may query or administer)");
        }
        List<ServerInterceptor> chain = List.of(
                new AuthInterceptor(table, tlsClientCa != null, roles), new StreamLimiter(limits.maxStreamsPerClient()));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(at, creds)
                .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
                // A peer that opens a TCP connection and never finishes the handshake holds a socket.
                .handshakeTimeout(10, TimeUnit.SECONDS)
                .maxInboundMetadataSize(16 * 1024);
        return new SecureListener(builder, new Guard(limits, chain), notices, () -> {
            for (AutoCloseable r : resources) {
                r.close();
            }
        });
    }

    /**
     * The role file's grants. At start a bad line is an error (thrown); on a reload it is left out
     * and logged, so its certificate falls back to agent while the good lines take effect.
     */
    static ClientRoles loadRoles(Path file, boolean atStart, Consumer<String> log) throws Exception {
        ClientRoles.Parsed parsed = ClientRoles.parse(Files.readString(file));
        if (!parsed.errors().isEmpty()) {
            if (atStart) {
                throw new IllegalArgumentException(String.join("; ", parsed.errors()));
            }
            parsed.errors().forEach(e -> log.accept("--client-roles " + file + " " + e + ": line ignored"));
        }
        return parsed.roles();
    }

    private static TokenTable parseTokens(Path file) throws Exception {
        try {
            return TokenTable.parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " " + e.getMessage());
        }
    }

    /** Why plaintext on {@code at} is refused; empty when it is allowed (TLS, loopback, or --insecure). */
    static Optional<String> plaintextRefusal(InetSocketAddress at, boolean tls, boolean insecure) {
        InetAddress a = at.getAddress();
        if (tls || insecure || (a != null && a.isLoopbackAddress())) {
            return Optional.empty();
        }
        return Optional.of("--listen " + describe(at) + " is not a loopback address: give --tls-cert and --tls-key,"
                + " or --insecure to accept plaintext from the network");
    }

    private static String describe(InetSocketAddress at) {
        return (at.getAddress() != null ? at.getAddress().getHostAddress() : at.getHostString()) + ":" + at.getPort();
    }
}
