package ctfleet.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Establishes the {@link Caller} of every call and refuses what it may not do: without a bearer
 * token (when the server has {@code --tokens}) a call is UNAUTHENTICATED; a token whose role does not
 * match the service is PERMISSION_DENIED. The host-id check of mutual TLS needs the hello's content,
 * so it happens in the collector with {@link Caller#checkHost}.
 */
public final class AuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    private final Optional<Supplier<TokenTable>> tokens;
    private final boolean clientCertificates;

    /**
     * @param tokens             the current token table when bearer tokens are required
     * @param clientCertificates true when the TLS layer requires client certificates (mTLS)
     */
    public AuthInterceptor(Optional<Supplier<TokenTable>> tokens, boolean clientCertificates) {
        this.tokens = tokens;
        this.clientCertificates = clientCertificates;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Optional<Set<String>> certIds = peerHostIds(call);
        if (clientCertificates && certIds.isEmpty()) {
            // The TLS layer already requires a certificate; this is the belt to its braces.
            return refuse(call, Status.UNAUTHENTICATED.withDescription("a client certificate is required"));
        }
        Optional<String> name = certIds.flatMap(ids -> ids.stream().findFirst());
        Optional<Role> role = Optional.empty();
        if (tokens.isPresent()) {
            String auth = headers.get(AUTHORIZATION);
            if (auth == null || !auth.startsWith(BEARER)) {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(
                        "this server requires a bearer token: give --token-file FILE"));
            }
            Optional<TokenTable.Entry> entry = tokens.get().get().lookup(auth.substring(BEARER.length()).trim());
            if (entry.isEmpty()) {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(
                        "bearer token not recognised (not in the server's --tokens file)"));
            }
            Optional<Role> needed = Role.requiredFor(method);
            Role has = entry.get().role();
            if (needed.isEmpty() || needed.get() != has) {
                return refuse(call, Status.PERMISSION_DENIED.withDescription("token '" + entry.get().name()
                        + "' has role " + has.label() + ", which may not call " + method
                        + needed.map(r -> " (needs role " + r.label() + ")").orElse("")));
            }
            role = Optional.of(has);
            if (name.isEmpty()) {
                name = Optional.of(entry.get().name());
            }
        }
        Context ctx = Context.current().withValue(Caller.KEY, new Caller(name, certIds, role));
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    /** The host ids of a verified client certificate; empty when the peer presented none. */
    private static Optional<Set<String>> peerHostIds(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                return Optional.of(CertIdentity.hostIds(x));
            }
            return Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
