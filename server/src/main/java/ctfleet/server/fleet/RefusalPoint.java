package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;

/**
 * How many new entries one stretch of a host's history refused: the increases of the kernel's
 * {@code drop}, {@code early_drop} and {@code insert_failed} over {@code span}, and the highest
 * count in it (a rollup's peak, a raw sample's count).
 */
public record RefusalPoint(Instant ts, Duration span, long peakCount, long drop, long earlyDrop, long insertFailed) {
    public boolean refused() {
        return drop > 0 || earlyDrop > 0 || insertFailed > 0;
    }
}
