package ctfleet.server.store;

/** One raw sample as history reads it back: the columns of {@code samples}. */
public record RawPoint(long ts, boolean loaded, long count, long max, Counters counters) {

    /** count / max when the host has a limit; NaN when it has none or conntrack is not loaded. */
    public double fill() {
        return loaded && max > 0 ? (double) count / max : Double.NaN;
    }
}
