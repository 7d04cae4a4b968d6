package ctfleet.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The server's {@code --tokens} file, parsed: one token per line as
 * {@code <sha256 of the token, hex> <role> [<name>]}; {@code #} starts a comment.
 *
 * <p>Only hashes are kept, so the file (and a heap dump) does not hold usable tokens. A parse error
 * names the line number and never echoes the line: a raw token pasted by mistake must not end up in
 * a log.
 */
public final class TokenTable {
    /** One accepted token: its hash, role and a name for messages (never the token itself). */
    public record Entry(byte[] sha256, Role role, String name) {}

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
            if (f.length < 2 || f.length > 3 || !hex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("line " + n
                        + ": expected '<sha256 of the token, 64 hex digits> <agent|reader> [name]'");
            }
            Role role = Role.parse(f[1]).orElseThrow(() -> new IllegalArgumentException(
                    "line " + n + ": role must be agent or reader"));
            String name = f.length == 3 ? f[2] : "line-" + n;
            out.add(new Entry(HexFormat.of().parseHex(hex.toLowerCase()), role, name));
        }
        return new TokenTable(out);
    }

    public int size() {
        return entries.size();
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
        return HexFormat.of().formatHex(sha256(token)) + " " + role.label() + " " + name;
    }
}
