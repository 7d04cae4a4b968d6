package ctfleet.server.fleet;

/**
 * The highest count a point saw: what capacity plans for, since a table refuses at its peak. Every
 * capacity rule reads a point through here, so the meaning of a rollup point is decided once: a
 * {@link CountPoint}'s count is a bucket's average, its peak the highest sample.
 */
public final class Peaks {
    private Peaks() {}

    public static long of(CountPoint p) {
        return Math.max(p.peak(), p.count());
    }
}
