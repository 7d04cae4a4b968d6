package ctfleet.server.auth;

import io.grpc.Context;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is calling, as the {@link AuthInterceptor} established it, carried in the gRPC {@link Context}.
 *
 * @param name        for messages and per-client limits: the certificate's first host id, or the token's name,
 *                    or empty for an anonymous (plaintext, loopback) caller
 * @param certHostIds present when the caller presented a verified client certificate: the host ids it names
 *                    (CN and DNS SANs); an agent may write samples only for one of these
 * @param role        the bearer token's role, when tokens are in use
 */
public record Caller(Optional<String> name, Optional<Set<String>> certHostIds, Optional<Role> role) {
    public static final Caller ANONYMOUS = new Caller(Optional.empty(), Optional.empty(), Optional.empty());
    static final Context.Key<Caller> KEY = Context.key("ctfleet-caller");

    public Caller {
        certHostIds = certHostIds.map(ids -> Set.copyOf(new TreeSet<>(ids)));
    }

    /** The caller of the current call; {@link #ANONYMOUS} where no interceptor ran (in-process tests). */
    public static Caller current() {
        Caller c = KEY.get();
        return c == null ? ANONYMOUS : c;
    }

    /** With mutual TLS an agent may write only its own host's samples (the id in its certificate). */
    public void checkHost(String hostId) throws Denied {
        if (certHostIds.isEmpty() || certHostIds.get().contains(hostId)) {
            return;
        }
        Set<String> ids = new TreeSet<>(certHostIds.get());
        String named = ids.isEmpty() ? "no host id (no CN or DNS SAN)"
                : ids.size() == 1 ? "host id '" + ids.iterator().next() + "'"
                : "host ids " + ids;
        throw new Denied(Status.PERMISSION_DENIED.withDescription("hello.host_id '" + hostId
                + "' does not match the client certificate, which is for " + named));
    }
}
