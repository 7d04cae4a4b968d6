package ctfleet.server.store;

/** A resolution of history: raw samples, or one of the rollups. */
public enum Step {
    RAW("samples", 0),
    MINUTE("samples_1m", Rollups.MINUTE),
    HOUR("samples_1h", Rollups.HOUR),
    /** The finest resolution whose retention still covers the start of the asked range. */
    AUTO("", 0);

    final String table;
    final long millis;

    Step(String table, long millis) {
        this.table = table;
        this.millis = millis;
    }

    /** raw, 1m, 1h or auto, as flags and requests spell them. */
    public static Step parse(String text) {
        return switch (text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "raw" -> RAW;
            case "1m" -> MINUTE;
            case "1h" -> HOUR;
            case "auto", "" -> AUTO;
            default -> throw new IllegalArgumentException("'" + text + "' is not a step; use raw, 1m, 1h or auto");
        };
    }

    /** The concrete step for a range starting at {@code fromMillis}, seen at {@code nowMillis}. */
    public Step resolve(long fromMillis, long nowMillis, Retention retention) {
        if (this != AUTO) {
            return this;
        }
        if (fromMillis >= nowMillis - retention.raw().toMillis()) {
            return RAW;
        }
        if (fromMillis >= nowMillis - retention.minute().toMillis()) {
            return MINUTE;
        }
        return HOUR;
    }
}
