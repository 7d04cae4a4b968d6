package ctfleet.common.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a caller may do. An agent writes samples for its own host ids; a reader asks fleet
 * questions; an admin also runs maintenance (backups, imports). Which RPC needs which role is the
 * server's access policy; the tokens file ({@link TokenTable}) and {@code ctfleet gen-token} name them.
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
}
