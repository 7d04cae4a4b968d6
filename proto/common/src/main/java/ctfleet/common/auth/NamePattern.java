package ctfleet.common.auth;

import java.util.regex.Pattern;

/**
 * A name a certificate or a token may stand for: literal text, where {@code *} stands for any run
 * of characters within one DNS label (never a dot), as in certificate name matching (RFC 6125).
 * So {@code oncall-*} matches {@code oncall-alice} and {@code *.ops.example.com} matches
 * {@code a.ops.example.com} but not {@code a.b.ops.example.com}. Case matters, as it does for host ids.
 */
public final class NamePattern {
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._@*-]{1,253}");
    private final String text;
    private final Pattern regex;

    private NamePattern(String text, Pattern regex) {
        this.text = text;
        this.regex = regex;
    }

    /** The pattern in {@code text}; an {@link IllegalArgumentException} says what is wrong with it. */
    public static NamePattern parse(String text) {
        if (!ALLOWED.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + shorten(text) + "' is not a name pattern: use 1 to 253 of"
                    + " A-Z a-z 0-9 . _ - @ and * (any run of characters within one label)");
        }
        String[] labels = text.split("\\.", -1);
        boolean literal = false;
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' has an empty label (a leading, trailing or double dot)");
            }
            if (i > 0) {
                re.append("\\.");
            }
            int from = 0;
            for (int star = label.indexOf('*'); star >= 0; star = label.indexOf('*', from)) {
                re.append(Pattern.quote(label.substring(from, star))).append("[^.]*");
                from = star + 1;
            }
            re.append(Pattern.quote(label.substring(from)));
            literal |= !label.replace("*", "").isEmpty();
        }
        // "*" or "*.*" would hand a role to every certificate the CA ever signed: name them instead.
        if (!literal) {
            throw new IllegalArgumentException("'" + text + "' matches any name: give at least one literal character");
        }
        return new NamePattern(text, Pattern.compile(re.toString()));
    }

    public boolean matches(String name) {
        return regex.matcher(name).matches();
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamePattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** Hostile or mistyped text is quoted, never in full. */
    public static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
