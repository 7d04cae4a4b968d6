package ctfleet.server.auth;

import ctfleet.common.FileReloader;
import ctfleet.common.tls.Reloading;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server's TLS credentials: its certificate and key, and with mutual TLS the CA that client
 * certificates must chain to. All files are re-read when they change on disk, so a rotated
 * certificate takes effect without a restart (new connections use it; open ones keep theirs).
 */
public final class ServerTls implements AutoCloseable {
    private final ServerCredentials credentials;
    private final List<FileReloader> reloaders;

    private ServerTls(ServerCredentials credentials, List<FileReloader> reloaders) {
        this.credentials = credentials;
        this.reloaders = reloaders;
    }

    /** Loads the files now (throwing when they are unusable) and watches them every {@code refresh}. */
    public static ServerTls load(Path cert, Path key, Optional<Path> clientCa, Duration refresh, Consumer<String> log)
            throws Exception {
        List<FileReloader> reloaders = new ArrayList<>();
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        reloaders.add(Reloading.identity(keys, cert, key, refresh, log));
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(keys);
        if (clientCa.isPresent()) {
            // Chain and dates only: a client certificate names a host, not the address it connects from.
            // On the server side grpc-util's default verification checks the chain and dates, no host name.
            AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder().build();
            reloaders.add(Reloading.trust(trust, clientCa.get(), refresh, log));
            b.trustManager(new Reporting(trust, log)).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return new ServerTls(b.build(), reloaders);
    }

    public ServerCredentials credentials() {
        return credentials;
    }

    @Override
    public void close() {
        reloaders.forEach(FileReloader::close);
    }

    /**
     * Says why a client certificate was refused: the client only sees a TLS alert, so the
     * operator's one clue is the server's log ("expired", "not signed by the CA").
     */
    private static final class Reporting extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final Consumer<String> log;

        Reporting(X509ExtendedTrustManager delegate, Consumer<String> log) {
            this.delegate = delegate;
            this.log = log;
        }

        private CertificateException report(X509Certificate[] chain, CertificateException e) {
            String who = chain == null || chain.length == 0 ? "(none)" : chain[0].getSubjectX500Principal().getName();
            log.accept("client certificate " + who + " refused: " + e.getMessage());
            return e;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            try {
                delegate.checkClientTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                throw report(chain, e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                delegate.checkClientTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw report(chain, e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                delegate.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                throw report(chain, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
