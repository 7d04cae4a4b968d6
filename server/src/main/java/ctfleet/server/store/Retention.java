package ctfleet.server.store;

import java.time.Duration;

/**
 * How long each resolution is kept. Defaults: raw samples 48 h (enough for "what happened
 * yesterday" at full detail), 1-minute rollups 30 days, 1-hour rollups 2 years (capacity planning),
 * entry breakdowns 7 days.
 */
public record Retention(Duration raw, Duration minute, Duration hour, Duration entries) {
    public static final Retention DEFAULT =
            new Retention(Duration.ofHours(48), Duration.ofDays(30), Duration.ofDays(730), Duration.ofDays(7));

    public Retention {
        if (raw.isNegative() || raw.isZero() || minute.compareTo(raw) < 0 || hour.compareTo(minute) < 0
                || entries.isNegative() || entries.isZero()) {
            throw new IllegalArgumentException("retention must be positive and not shorter for coarser rollups"
                    + " (raw <= 1m <= 1h), got raw " + raw + ", 1m " + minute + ", 1h " + hour);
        }
    }
}
