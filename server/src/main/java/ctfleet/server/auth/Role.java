package ctfleet.server.auth;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a caller may do. An agent writes samples for its own host ids; a reader asks fleet
 * questions; an admin also runs maintenance (backups, imports). Which RPC needs which role is
 * {@link AccessPolicy}.
 */
public enum Role {
    AGENT,
    READER,
    ADMIN;

    public static Optional<Role> parse(String text) {
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
