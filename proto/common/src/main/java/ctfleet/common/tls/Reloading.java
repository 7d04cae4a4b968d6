package ctfleet.common.tls;

import ctfleet.common.FileReloader;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * TLS credentials that follow their files: grpc-util's managers hold them and swap them for the next
 * handshake ({@code updateIdentityCredentials}, {@code updateTrustCredentials}); a {@link FileReloader}
 * feeds them, because the managers' own file polling refuses a period under one minute and keeps no
 * key/certificate check. Each call loads once now (throwing when the files are unusable) and returns
 * the watcher to close.
 */
public final class Reloading {
    private Reloading() {}

    /** The certificate and key, refreshed when either changes; a pair that does not match keeps the old one. */
    public static FileReloader identity(AdvancedTlsX509KeyManager keys, Path cert, Path key, Duration every,
                                        Consumer<String> log) throws Exception {
        return FileReloader.start(List.of(cert, key), every, log, () -> {
            Identity id = Identity.read(cert, key);
            keys.updateIdentityCredentials(id.chain(), id.key());
        });
    }

    /** The CA certificates of one PEM file, refreshed when it changes. */
    public static FileReloader trust(AdvancedTlsX509TrustManager trust, Path ca, Duration every, Consumer<String> log)
            throws Exception {
        return FileReloader.start(List.of(ca), every, log, () -> trust.updateTrustCredentials(Pem.certificates(ca)));
    }
}
