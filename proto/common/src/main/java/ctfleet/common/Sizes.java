package ctfleet.common;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as operators write them: {@code 65536}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB} (also KB/MB/GB, as powers of 1024). */
public final class Sizes {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB|KB|MB|GB|k|m|g)", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    public static long parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; use e.g. 65536, 512KiB, 64MiB, 1GiB");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "", "b" -> n;
            case "kib", "kb", "k" -> n << 10;
            case "mib", "mb", "m" -> n << 20;
            default -> n << 30;
        };
    }
}
