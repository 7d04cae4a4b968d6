package ctfleet.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated time: starts at {@code start} and runs {@code speed} times faster than the monotonic
 * clock, so a day of history can be replayed in minutes. Monotonic, so a host's samples never share
 * or reverse a timestamp.
 */
public final class ScaledClock extends Clock {
    private final Instant start;
    private final double speed;
    private final long startNanos;

    public ScaledClock(Instant start, double speed) {
        this(start, speed, System.nanoTime());
    }

    private ScaledClock(Instant start, double speed, long startNanos) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive: " + speed);
        }
        this.start = start;
        this.speed = speed;
        this.startNanos = startNanos;
    }

    /**
     * Where a run of {@code duration} real time at {@code speed} must start so that its simulated
     * time ends at {@code realStart + duration}: a compressed history that ends about now, never in
     * the future (the server refuses samples more than minutes ahead of its clock).
     */
    public static Instant startFor(Instant realStart, Duration duration, double speed) {
        double behindSeconds = Math.max(0, duration.toMillis() / 1000.0 * (speed - 1));
        return realStart.minusMillis(Math.round(behindSeconds * 1000));
    }

    @Override
    public Instant instant() {
        long elapsed = System.nanoTime() - startNanos;
        return start.plusNanos(Math.round(elapsed * speed));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (zone.equals(ZoneOffset.UTC)) {
            return this;
        }
        throw new UnsupportedOperationException("simulated time is UTC");
    }
}
