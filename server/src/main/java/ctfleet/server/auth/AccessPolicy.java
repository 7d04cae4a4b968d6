package ctfleet.server.auth;

import ctfleet.common.auth.Role;
import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.QueryGrpc;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which roles may call which service: the role table of README's Security section, in code. A
 * service not listed here is denied to every role, so a new one stays closed until it is given
 * its roles (and the table its row: the matrix test compares the two).
 *
 * <p>Admin is not a super-agent: it may not write live samples (a leaked admin credential cannot
 * impersonate a gateway), and an agent may not read, not even its own host: a gateway's
 * credential is the most exposed one in the fleet.
 */
public final class AccessPolicy {
    private static final Map<String, Set<Role>> BY_SERVICE = Map.of(
            CollectorGrpc.SERVICE_NAME, EnumSet.of(Role.AGENT),
            QueryGrpc.SERVICE_NAME, EnumSet.of(Role.READER, Role.ADMIN),
            // An import writes any host's history: an operator's job, not a gateway's.
            ImportGrpc.SERVICE_NAME, EnumSet.of(Role.ADMIN),
            AdminGrpc.SERVICE_NAME, EnumSet.of(Role.ADMIN),
            // Load balancers and grpc_health_probe run with whatever credential the host has.
            HealthGrpc.SERVICE_NAME, EnumSet.allOf(Role.class),
            // Lists the API, not data; still nothing a gateway needs.
            ServerReflectionGrpc.SERVICE_NAME, EnumSet.of(Role.READER, Role.ADMIN));

    private AccessPolicy() {}

    /** The roles that may call a method ({@code service/method}); empty when none may. */
    public static Set<Role> allowed(String fullMethodName) {
        int slash = fullMethodName.lastIndexOf('/');
        String service = slash < 0 ? fullMethodName : fullMethodName.substring(0, slash);
        Set<Role> roles = BY_SERVICE.get(service);
        return roles == null ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
    }
}
