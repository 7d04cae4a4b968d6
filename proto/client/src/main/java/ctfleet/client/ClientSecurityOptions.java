package ctfleet.client;

import ctfleet.common.HostPort;
import ctfleet.common.tls.Reloading;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * How a client (agent or CLI) proves who it is and checks the server: a picocli mixin, shared so both
 * take the same flags, and the one place that turns them into a channel.
 */
public final class ClientSecurityOptions {
    /** Certificates and keys are checked for changes this often; a long-running agent picks up rotations. */
    static final Duration REFRESH = Duration.ofMinutes(1);

    @Option(names = "--tls", description = "Use TLS and trust the system's CAs (implied by --tls-ca and --tls-cert).")
    boolean tls;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "Trust only servers whose certificate this CA (PEM) signed.")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Client certificate (PEM) for mutual TLS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Private key of --tls-cert (PKCS#8 PEM).")
    Path tlsKey;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "Name to verify in the server's certificate, when it is not the --server host.")
    String tlsServerName;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding a bearer token for the server.")
    Path tokenFile;

    /** True when the flags ask for TLS. */
    public boolean usesTls() {
        return tls || tlsCa != null || tlsCert != null;
    }

    /**
     * A channel to {@code target} with these credentials. A flag mistake or an unusable file is an
     * {@link IllegalArgumentException} naming the flag.
     */
    public ManagedChannel open(HostPort target, Consumer<String> log) {
        ManagedChannelBuilder<?> b = Grpc.newChannelBuilderForAddress(target.host(), target.port(), credentials(log));
        if (tlsServerName != null) {
            b.overrideAuthority(tlsServerName + ":" + target.port());
        }
        return b.build();
    }

    ChannelCredentials credentials(Consumer<String> log) {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        ChannelCredentials channel = usesTls() ? tlsCredentials(log) : InsecureChannelCredentials.create();
        if (tokenFile == null) {
            return channel;
        }
        try {
            return CompositeChannelCredentials.create(channel, new BearerToken(tokenFile).check());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--token-file") ? e.getMessage()
                    : "--token-file " + tokenFile + ": " + e.getMessage());
        }
    }

    private ChannelCredentials tlsCredentials(Consumer<String> log) {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        // The watchers live as long as the process: one channel per agent or CLI run.
        try {
            if (tlsCa != null) {
                // Chain, dates and the server's name (the transport checks the name too).
                AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder().build();
                Reloading.trust(trust, tlsCa, REFRESH, log);
                b.trustManager(trust);
            }
        } catch (Exception e) {
            throw new IllegalArgumentException("--tls-ca " + tlsCa + ": " + e.getMessage());
        }
        try {
            if (tlsCert != null) {
                AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
                Reloading.identity(keys, tlsCert, tlsKey, REFRESH, log);
                b.keyManager(keys);
            }
        } catch (Exception e) {
            throw new IllegalArgumentException("--tls-cert/--tls-key: " + e.getMessage());
        }
        return b.build();
    }
}
