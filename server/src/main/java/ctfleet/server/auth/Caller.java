package ctfleet.server.auth;

import ctfleet.common.auth.NamePattern;
import ctfleet.common.auth.Role;
import ctfleet.common.auth.TokenTable;
import io.grpc.Context;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Who is calling, as the {@link AuthInterceptor} established it, carried in the gRPC {@link Context}.
 *
 * @param name        for messages and per-client limits: the certificate's first host id, or the token's name,
 *                    or empty for an anonymous (plaintext, loopback) caller
 * @param certHostIds present when the caller presented a verified client certificate: the host ids it names
 *                    (CN and DNS SANs); an agent may write samples only for one of these
 * @param roles       what the caller may do ({@link AccessPolicy} has already checked the call against them)
 * @param token       the bearer token it presented, when tokens are in use; an agent token may bind host ids too
 */
public record Caller(Optional<String> name, Optional<Set<String>> certHostIds, Set<Role> roles,
        Optional<TokenTable.Entry> token) {
    public static final Caller ANONYMOUS = new Caller(Optional.empty(), Optional.empty(), EnumSet.allOf(Role.class),
            Optional.empty());
    static final Context.Key<Caller> KEY = Context.key("ctfleet-caller");

    public Caller {
        certHostIds = certHostIds.map(ids -> Set.copyOf(new TreeSet<>(ids)));
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    /** The caller of the current call; {@link #ANONYMOUS} where no interceptor ran (in-process tests). */
    public static Caller current() {
        Caller c = KEY.get();
        return c == null ? ANONYMOUS : c;
    }

    /**
     * An agent may write only its own host's samples: with mutual TLS a host id its certificate names,
     * with a bound agent token a host id the token's patterns match (both, when it has both).
     */
    public void checkHost(String hostId) throws Denied {
        if (certHostIds.isPresent() && !certHostIds.get().contains(hostId)) {
            Set<String> ids = new TreeSet<>(certHostIds.get());
            String named = ids.isEmpty() ? "no host id (no CN or DNS SAN)"
                    : ids.size() == 1 ? "host id '" + ids.iterator().next() + "'"
                    : "host ids " + ids;
            throw new Denied(Status.PERMISSION_DENIED.withDescription("hello.host_id '" + hostId
                    + "' does not match the client certificate, which is for " + named));
        }
        if (token.isPresent() && !token.get().mayWrite(hostId)) {
            throw new Denied(Status.PERMISSION_DENIED.withDescription("hello.host_id '" + hostId
                    + "' is not a host token '" + token.get().name() + "' may write (hosts="
                    + token.get().hosts().stream().map(NamePattern::text).collect(Collectors.joining(",")) + ")"));
        }
    }
}
