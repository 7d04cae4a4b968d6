package ctfleet.cli.render;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** How numbers and times look in tables and JSON. */
public final class Format {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

    private Format() {}

    public static String isoUtc(long epochMillis) {
        return ISO.format(Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }

    public static String percent(double fraction) {
        return String.format("%.1f%%", fraction * 100);
    }

    /** A duration for people: 45s, 12m, 3.5h, 4.2d. */
    public static String human(double seconds) {
        if (seconds < 120) return String.format("%.0fs", seconds);
        if (seconds < 7200) return String.format("%.0fm", seconds / 60);
        if (seconds < 172_800) return String.format("%.1fh", seconds / 3600);
        return String.format("%.1fd", seconds / 86_400);
    }

    /**
     * Time to full for a table column: "-" when not growing, "full" when at max, "any time" when the
     * forecast peak already reaches max (the swings above trend seen in the window are as large as
     * the headroom left: the next burst or daily crest can fill it), else the time.
     */
    public static String eta(boolean hasEta, double seconds, long count, long max) {
        if (!hasEta) {
            return "-";
        }
        if (max > 0 && count >= max) {
            return "full";
        }
        return seconds < 1 ? "any time" : human(seconds);
    }

    /** The same as a clause after a host's fill: "", ", full", ", could fill any time", ", full in 3.7h". */
    public static String etaClause(boolean hasEta, double seconds, long count, long max) {
        String eta = eta(hasEta, seconds, count, max);
        return switch (eta) {
            case "-" -> "";
            case "full" -> ", full";
            case "any time" -> ", could fill any time";
            default -> ", full in " + eta;
        };
    }

    /**
     * The ETA with its 10-90 % range: "3.5h (2.1h-5.0h)", "3.5h (2.1h-)" when the late end lies
     * beyond 7 days, or {@link #eta} alone when there is no range to show.
     */
    public static String etaRange(boolean hasEta, double eta, boolean hasLow, double low, boolean hasHigh, double high,
            long count, long max) {
        String e = eta(hasEta, eta, count, max);
        if (e.equals("-") || e.equals("full") || !hasLow) {
            return e;
        }
        return e + " (" + human(low) + "-" + (hasHigh ? human(high) : "") + ")";
    }

    /** A probability for people: "0%", "<1%", "37%", ">99%", "100%". */
    public static String probability(double p) {
        if (p <= 0) {
            return "0%";
        }
        if (p >= 1) {
            return "100%";
        }
        if (p < 0.005) {
            return "<1%";
        }
        if (p > 0.995) {
            return ">99%";
        }
        return String.format("%.0f%%", p * 100);
    }

    public static String rate(double perSecond) {
        return perSecond == 0 ? "0" : String.format("%.2f/s", perSecond);
    }
}
