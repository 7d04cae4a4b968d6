package ctfleet.server.auth;

import ctfleet.common.auth.Role;
import ctfleet.common.auth.TokenTable;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Establishes the {@link Caller} of every call and its roles, and refuses what those roles may not
 * do ({@link AccessPolicy}). The role comes from, in this order:
 * <ul>
 *   <li>the bearer token, when the server has {@code --tokens} (a call without one is UNAUTHENTICATED);</li>
 *   <li>the client certificate, with mutual TLS: the role {@code --client-roles} gives one of its names,
 *       else agent;</li>
 *   <li>nothing, on a server that identifies no callers: a caller on loopback may do everything (the
 *       demo, tests, a CLI next to the server), any other address everything but admin.</li>
 * </ul>
 * A denial names the method, the role it needs and the role the caller has. The host-id check of an
 * agent needs the hello's content, so it happens in the collector with {@link Caller#checkHost}.
 */
public final class AuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    private final Optional<Supplier<TokenTable>> tokens;
    private final boolean clientCertificates;
    private final Supplier<ClientRoles> certRoles;

    /**
     * @param tokens             the current token table when bearer tokens are required
     * @param clientCertificates true when the TLS layer requires client certificates (mTLS)
     */
    public AuthInterceptor(Optional<Supplier<TokenTable>> tokens, boolean clientCertificates) {
        this(tokens, clientCertificates, () -> ClientRoles.NONE);
    }

    /** @param certRoles the current {@code --client-roles} grants (read per call: reloads apply to open connections) */
    public AuthInterceptor(Optional<Supplier<TokenTable>> tokens, boolean clientCertificates,
            Supplier<ClientRoles> certRoles) {
        this.tokens = tokens;
        this.clientCertificates = clientCertificates;
        this.certRoles = certRoles;
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
        Optional<TokenTable.Entry> token = Optional.empty();
        Set<Role> roles;
        String who;
        String hint;
        if (tokens.isPresent()) {
            String auth = headers.get(AUTHORIZATION);
            if (auth == null || !auth.startsWith(BEARER)) {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(
                        "this server requires a bearer token: give --token-file FILE"));
            }
            token = tokens.get().get().lookup(auth.substring(BEARER.length()).trim());
            if (token.isEmpty()) {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(
                        "bearer token not recognised (not in the server's --tokens file)"));
            }
            roles = EnumSet.of(token.get().role());
            who = "token '" + token.get().name() + "'";
            hint = "";
            if (name.isEmpty()) {
                name = Optional.of(token.get().name());
            }
        } else if (certIds.isPresent()) {
            roles = EnumSet.of(certRoles.get().roleOf(certIds.get()).orElse(Role.AGENT));
            who = name.map(n -> "certificate '" + n + "'").orElse("a certificate with no CN or DNS SAN");
            hint = "; the server's --client-roles file gives a certificate a role";
        } else if (isLoopback(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR))) {
            roles = EnumSet.allOf(Role.class);
            who = "an unidentified caller on loopback";
            hint = "";
        } else {
            // Without credentials nobody off this machine is trusted with the whole database.
            roles = EnumSet.of(Role.AGENT, Role.READER);
            who = "an unidentified caller from " + address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
            hint = "; this server identifies no callers: give it --tls-client-ca with --client-roles, or --tokens";
        }
        Set<Role> allowed = AccessPolicy.allowed(method);
        if (Collections.disjoint(roles, allowed)) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(who + " has " + held(roles)
                    + ", which may not call " + method
                    + (allowed.isEmpty() ? " (no role may)" : " (needs " + needed(allowed) + hint + ")")));
        }
        Context ctx = Context.current().withValue(Caller.KEY, new Caller(name, certIds, roles, token));
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

    /** In-process transports have no socket: the caller is in this very process. */
    private static boolean isLoopback(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            return in.getAddress() != null && in.getAddress().isLoopbackAddress();
        }
        return a == null || !(a instanceof InetSocketAddress);
    }

    private static String address(SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress()
                : String.valueOf(a);
    }

    static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }

    /** How a denial names the roles a caller has: "role reader", "roles agent and reader". */
    static String held(Collection<Role> roles) {
        return (roles.size() == 1 ? "role " : "roles ") + join(roles, "and");
    }

    /** How a denial names the roles a method needs: "role agent", "role reader or admin". */
    static String needed(Collection<Role> roles) {
        return "role " + join(roles, "or");
    }

    private static String join(Collection<Role> roles, String word) {
        return roles.stream().sorted().map(Role::label).collect(Collectors.joining(" " + word + " "));
    }
}
