package ctfleet.agent.ship;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter", 2015): the n-th delay is uniform in [0, min(max, initial * multiplier^n)). The jitter
 * keeps a fleet of agents from reconnecting in lockstep after a server restart.
 *
 * <p>Not thread safe: one instance belongs to the shipper's reconnect loop.
 */
public final class Backoff {
    private final double initialNanos;
    private final double maxNanos;
    private final double multiplier;
    private final RandomGenerator rnd;
    private double ceilingNanos;

    public Backoff(Duration initial, Duration max, double multiplier, RandomGenerator rnd) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is below initial " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be >= 1, got " + multiplier);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.multiplier = multiplier;
        this.rnd = rnd;
        this.ceilingNanos = initialNanos;
    }

    /** Delay before the next attempt; each call raises the ceiling until it reaches max. */
    public Duration next() {
        double ceiling = ceilingNanos;
        ceilingNanos = Math.min(maxNanos, ceilingNanos * multiplier);
        return Duration.ofNanos((long) (rnd.nextDouble() * ceiling));
    }

    /**
     * Delay after an error that retrying will not fix soon (see {@link PermanentErrors}): between
     * half the cap and the cap. Full jitter would sometimes retry almost at once, which is the
     * blind retrying a permanent error must not get; half the range still spreads the fleet.
     */
    public Duration nextAtCap() {
        ceilingNanos = maxNanos;
        return Duration.ofNanos((long) (maxNanos / 2 + rnd.nextDouble() * maxNanos / 2));
    }

    /** After a connection proved healthy (the server acknowledged something). */
    public void reset() {
        ceilingNanos = initialNanos;
    }

    public Duration max() {
        return Duration.ofNanos((long) maxNanos);
    }
}
