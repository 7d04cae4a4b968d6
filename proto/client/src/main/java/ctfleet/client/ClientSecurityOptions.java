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
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
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

    // What the channel trusts and presents, kept for TlsRefusal's handshake (null: the JDK's defaults, none).
    private TrustManager trust;
    private KeyManager keys;

    /** True when the flags ask for TLS. */
    public boolean usesTls() {
        return tls || tlsCa != null || tlsCert != null;
    }

    /**
     * A channel to {@code target} with these credentials. A flag mistake or an unusable file is an
     * {@link IllegalArgumentException} naming the flag.
     */
    public ManagedChannel open(HostPort target, Consumer<String> log) {
        return builder(target, log).build();
    }

    /**
     * As {@link #open}, and a call the server refused at the TLS level says why ({@link TlsRefusal}):
     * for a command that makes a call and reports its failure once.
     */
    public ManagedChannel openExplained(HostPort target, Consumer<String> log) {
        ManagedChannelBuilder<?> b = builder(target, log);
        if (usesTls()) {
            String name = tlsServerName != null ? tlsServerName : target.host();
            b.intercept(new TlsRefusal(() -> TlsRefusal.probe(target.host(), target.port(), name, sslContext())));
        }
        return b.build();
    }

    private ManagedChannelBuilder<?> builder(HostPort target, Consumer<String> log) {
        ManagedChannelBuilder<?> b = Grpc.newChannelBuilderForAddress(target.host(), target.port(), credentials(log));
        if (tlsServerName != null) {
            b.overrideAuthority(tlsServerName + ":" + target.port());
        }
        return b;
    }

    /** The same trust and identity as the channel's, for {@link TlsRefusal}'s handshake. */
    private SSLContext sslContext() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(keys == null ? null : new KeyManager[] {keys}, trust == null ? null : new TrustManager[] {trust}, null);
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
                    : unreadable("--token-file", tokenFile, e));
        }
    }

    /** "cannot read --tls-ca /x: no such file or directory" for a file error, else the flag and the message. */
    private static String unreadable(String flag, Path file, Exception e) {
        String io = ctfleet.common.FileErrors.find(e);
        return io != null ? "cannot read " + flag + " " + file + ": " + io : flag + " " + file + ": " + e.getMessage();
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
                this.trust = trust;
            }
        } catch (Exception e) {
            throw new IllegalArgumentException(unreadable("--tls-ca", tlsCa, e));
        }
        try {
            if (tlsCert != null) {
                AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
                Reloading.identity(keys, tlsCert, tlsKey, REFRESH, log);
                b.keyManager(keys);
                this.keys = keys;
            }
        } catch (Exception e) {
            throw new IllegalArgumentException(unreadable("--tls-cert/--tls-key", tlsCert, e));
        }
        return b.build();
    }
}
