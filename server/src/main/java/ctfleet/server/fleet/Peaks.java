package ctfleet.server.fleet;

/**
 * The highest count a point saw: what capacity plans for, since a table refuses at its peak. Every
 * capacity rule reads a point through here, so the meaning of a rollup point is decided once.
 *
 * <p>Today a {@link CountPoint}'s count is already a rollup bucket's highest sample (FleetHistories
 * puts {@code count_max} there). When CountPoint carries a bucket's average as its count and the
 * peak beside it, this is the one line to change: return the peak.
 */
public final class Peaks {
    private Peaks() {}

    public static long of(CountPoint p) {
        return p.count();
    }
}
