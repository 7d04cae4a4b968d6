package ctfleet.server.auth;

import ctfleet.common.auth.NamePattern;
import ctfleet.common.auth.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The server's {@code --client-roles} file: which client certificates are not agents. One grant per
 * line, {@code reader NAME} or {@code admin NAME}, where NAME is matched against the certificate's
 * subject CN and DNS SANs ({@link NamePattern}: {@code *} within one label); {@code #} starts a
 * comment. A certificate no line names is an agent for the host ids it names, and nothing more.
 *
 * <p>Parsing reports each bad line rather than stopping at the first: at start any error is fatal,
 * on a reload the bad lines are left out (their certificates fall back to agent, the safe side)
 * and logged, and the good ones take effect.
 */
public final class ClientRoles {
    /** One line of the file. */
    public record Grant(Role role, NamePattern name, int line) {}

    /** The grants of the lines that parsed, and one message per line that did not. */
    public record Parsed(ClientRoles roles, List<String> errors) {
        public Parsed {
            errors = List.copyOf(errors);
        }
    }

    public static final ClientRoles NONE = new ClientRoles(List.of());

    private final List<Grant> grants;

    private ClientRoles(List<Grant> grants) {
        this.grants = List.copyOf(grants);
    }

    public static Parsed parse(String text) {
        List<Grant> grants = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (body.isEmpty()) {
                continue;
            }
            int n = i + 1;
            String[] f = body.split("\\s+");
            if (f.length != 2) {
                errors.add("line " + n + ": expected '<reader|admin> NAME' (one certificate name or pattern per line)");
                continue;
            }
            Optional<Role> role = Role.parse(f[0]).filter(r -> r != Role.AGENT);
            if (role.isEmpty()) {
                errors.add("line " + n + ": role must be reader or admin, got '" + NamePattern.shorten(f[0])
                        + "' (a certificate no line names is an agent for the host ids it names)");
                continue;
            }
            try {
                grants.add(new Grant(role.get(), NamePattern.parse(f[1]), n));
            } catch (IllegalArgumentException e) {
                errors.add("line " + n + ": " + e.getMessage());
            }
        }
        return new Parsed(new ClientRoles(grants), errors);
    }

    /**
     * The role the file gives a certificate with these names (CN and DNS SANs); the highest when
     * several lines match; empty when none does (the certificate is then an agent).
     */
    public Optional<Role> roleOf(Collection<String> names) {
        Role best = null;
        for (Grant g : grants) {
            if ((best == null || g.role().compareTo(best) > 0) && names.stream().anyMatch(g.name()::matches)) {
                best = g.role();
            }
        }
        return Optional.ofNullable(best);
    }

    public List<Grant> grants() {
        return grants;
    }

    /** "1 admin and 2 reader lines", for the start-up notice. */
    public String summary() {
        long admins = grants.stream().filter(g -> g.role() == Role.ADMIN).count();
        return admins + " admin and " + (grants.size() - admins) + " reader line" + (grants.size() - admins == 1 ? "" : "s");
    }
}
