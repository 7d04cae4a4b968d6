package ctfleet.server.auth;

import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.QueryGrpc;
import java.util.Locale;
import java.util.Optional;

/** What a bearer token may do: an agent only ingests, a reader only queries. */
public enum Role {
    AGENT,
    READER;

    /** The role a method needs; empty for a service no role may call (deny by default). */
    static Optional<Role> requiredFor(String fullMethodName) {
        if (fullMethodName.startsWith(CollectorGrpc.SERVICE_NAME + "/")) {
            return Optional.of(AGENT);
        }
        if (fullMethodName.startsWith(QueryGrpc.SERVICE_NAME + "/")) {
            return Optional.of(READER);
        }
        return Optional.empty();
    }

    static Optional<Role> parse(String text) {
        for (Role r : values()) {
            if (r.label().equals(text)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
