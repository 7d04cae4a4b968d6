package ctfleet.common;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them in flags and config: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 30d}, {@code 2y}.
 *
 * <p>A year is 365 days: retention flags need "keep about two years", not calendar arithmetic. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

    private Durations() {}

    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; use a number and a unit, e.g. 500ms, 10s, 5m, 1h, 30d, 2y");
        }
        try {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(Math.multiplyExact(7, n));
                default -> Duration.ofDays(Math.multiplyExact(365, n));
            };
        } catch (ArithmeticException | NumberFormatException e) {
            // Too many digits for a long, or too many seconds for a Duration: say so, not "long overflow".
            throw new TooLong("'" + text + "' is longer than any duration ctfleet takes");
        }
    }

    /** A well-formed duration too long to represent: callers with a range say their upper bound. */
    public static final class TooLong extends IllegalArgumentException {
        TooLong(String message) {
            super(message);
        }
    }

    /**
     * A clock offset as a person reads it: "1.2 s ahead of", "365 d 3 h behind" (the two largest
     * units), for "this host's clock is ... the server's".
     */
    public static String offset(long millis) {
        long ms = Math.abs(millis);
        String size;
        if (ms < 60_000) {
            size = String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        } else if (ms < 3_600_000) {
            size = ms / 60_000 + " m " + ms % 60_000 / 1000 + " s";
        } else if (ms < 86_400_000) {
            size = ms / 3_600_000 + " h " + ms % 3_600_000 / 60_000 + " m";
        } else {
            size = ms / 86_400_000 + " d " + ms % 86_400_000 / 3_600_000 + " h";
        }
        return size + (millis >= 0 ? " ahead of" : " behind");
    }

    /** The shortest exact form, e.g. 90s -> "90s", 3600s -> "1h". */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0 && ms != 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms != 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
