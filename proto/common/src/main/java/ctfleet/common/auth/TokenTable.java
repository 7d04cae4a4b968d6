package ctfleet.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The server's {@code --tokens} file, parsed: one token per line as
 * {@code <sha256 of the token, hex> <agent|reader|admin> [<name>] [hosts=PATTERN,...]};
 * {@code #} starts a comment. {@code hosts=} binds an agent token to the host ids it may write
 * ({@link NamePattern}s), so a leaked token is as narrow as a gateway's certificate.
 *
 * <p>Only hashes are kept, so the file (and a heap dump) does not hold usable tokens. A parse error
 * names the line number and never echoes the line: a raw token pasted by mistake must not end up in
 * a log.
 */
public final class TokenTable {
    static final String HOSTS = "hosts=";

    /**
     * One accepted token: its hash, role, a name for messages (never the token itself), and for an
     * agent token the host ids it may write (empty: any).
     */
    public record Entry(byte[] sha256, Role role, String name, List<NamePattern> hosts) {
        public Entry {
            hosts = List.copyOf(hosts);
        }

        /** Whether this token may write samples for {@code hostId}. */
        public boolean mayWrite(String hostId) {
            return hosts.isEmpty() || hosts.stream().anyMatch(p -> p.matches(hostId));
        }
    }

    private final List<Entry> entries;

    private TokenTable(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static TokenTable parse(String text) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (f.length == 1 && f[0].isEmpty()) {
                continue;
            }
            int n = i + 1;
            String hex = f[0].startsWith("sha256:") ? f[0].substring(7) : f[0];
            if (f.length < 2 || f.length > 4 || !hex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("line " + n + ": expected '<sha256 of the token, 64 hex digits>"
                        + " <agent|reader|admin> [name] [hosts=PATTERN,...]'");
            }
            Role role = Role.parse(f[1]).orElseThrow(() -> new IllegalArgumentException(
                    "line " + n + ": role must be agent, reader or admin"));
            String name = "line-" + n;
            List<NamePattern> hosts = List.of();
            boolean named = false;
            for (int k = 2; k < f.length; k++) {
                if (f[k].startsWith(HOSTS)) {
                    if (!hosts.isEmpty()) {
                        throw new IllegalArgumentException("line " + n + ": hosts= given twice");
                    }
                    hosts = hostPatterns(n, role, f[k].substring(HOSTS.length()));
                } else if (!named) {
                    name = f[k];
                    named = true;
                } else {
                    throw new IllegalArgumentException("line " + n + ": expected '<sha256 of the token, 64 hex digits>"
                            + " <agent|reader|admin> [name] [hosts=PATTERN,...]'");
                }
            }
            out.add(new Entry(HexFormat.of().parseHex(hex.toLowerCase()), role, name, hosts));
        }
        return new TokenTable(out);
    }

    private static List<NamePattern> hostPatterns(int line, Role role, String list) {
        if (role != Role.AGENT) {
            throw new IllegalArgumentException("line " + line + ": hosts= binds agent tokens only (this one is "
                    + role.label() + ")");
        }
        List<NamePattern> out = new ArrayList<>();
        for (String p : list.split(",", -1)) {
            try {
                out.add(NamePattern.parse(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + line + ": hosts=: " + e.getMessage());
            }
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    /** Agent tokens that may write any host id: worth a word at start. */
    public long unboundAgentTokens() {
        return entries.stream().filter(e -> e.role() == Role.AGENT && e.hosts().isEmpty()).count();
    }

    /**
     * The entry for a presented token. Compares the token's hash against every entry in constant time
     * and without stopping at a match, so timing says nothing about which entry (if any) matched.
     */
    public Optional<Entry> lookup(String token) {
        byte[] h = sha256(token);
        Entry found = null;
        for (Entry e : entries) {
            boolean eq = MessageDigest.isEqual(e.sha256(), h);
            if (eq && found == null) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The line to put in a tokens file for {@code token}. */
    public static String line(String token, Role role, String name) {
        return line(token, role, name, List.of());
    }

    /** The line for an agent token that may write only host ids matching {@code hosts} (empty: any). */
    public static String line(String token, Role role, String name, List<NamePattern> hosts) {
        return HexFormat.of().formatHex(sha256(token)) + " " + role.label() + " " + name
                + (hosts.isEmpty() ? "" : " " + HOSTS + hosts.stream().map(NamePattern::text)
                        .collect(Collectors.joining(",")));
    }
}
