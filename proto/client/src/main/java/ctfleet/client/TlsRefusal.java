package ctfleet.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Finds the reason a TLS server gave for refusing this client, which the transport may lose. With
 * TLS 1.3 the client's handshake is over before the server checks the client's certificate; the
 * server's alert (certificate_required, bad_certificate...) then races the client's first write,
 * and the call usually fails with a bare "Broken pipe". So when a call fails UNAVAILABLE without a
 * TLS reason, a fresh handshake with the same credentials is made and read from: a refusal arrives
 * as the alert itself, which {@link StatusText} explains. Meant for commands that make one call
 * and report its failure (the CLI), not for a retrying agent.
 */
final class TlsRefusal implements ClientInterceptor {
    private final Supplier<SSLException> probe;

    TlsRefusal(Supplier<SSLException> probe) {
        this.probe = probe;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        Status s = status;
                        if (s.getCode() == Status.Code.UNAVAILABLE && StatusText.tlsReason(s.getCause()) == null) {
                            SSLException why = probe.get();
                            if (why != null) {
                                s = s.withCause(why);
                            }
                        }
                        super.onClose(s, trailers);
                    }
                }, headers);
            }
        };
    }

    /** The server's TLS refusal of a handshake with {@code tls}, or null when it accepts (or cannot be reached). */
    static SSLException probe(String host, int port, String serverName, SSLContext tls) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), 5000);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, serverName, port, false)) {
                SSLParameters p = s.getSSLParameters();
                p.setApplicationProtocols(new String[] {"h2"}); // a gRPC server refuses a client without ALPN h2
                s.setSSLParameters(p);
                s.setSoTimeout(3000);
                s.startHandshake();
                // A refusal arrives right after the handshake; a server that accepts sends its SETTINGS.
                s.getInputStream().read();
                return null;
            }
        } catch (SSLException e) {
            return e;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
