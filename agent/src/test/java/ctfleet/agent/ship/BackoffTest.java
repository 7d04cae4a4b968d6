package ctfleet.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    /** nextDouble() just below 1: every delay sits at its ceiling, exposing the growth curve. */
    private static final RandomGenerator HIGHEST = () -> -1L;
    /** nextDouble() == 0. */
    private static final RandomGenerator LOWEST = () -> 0L;

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration CAP = Duration.ofSeconds(30);

    @Test
    void ceilingGrowsByMultiplierUntilCap() {
        Backoff b = new Backoff(INITIAL, CAP, 2.0, HIGHEST);
        long previous = -1;
        for (int i = 0; i < 60; i++) {
            long ms = b.next().toMillis();
            long ceiling = Math.min(CAP.toMillis(), 100L << Math.min(i, 20));
            assertTrue(ms >= ceiling - 1 && ms <= ceiling, "attempt " + i + ": " + ms + " ms, ceiling " + ceiling);
            assertTrue(ms >= previous, "attempt " + i + " shrank: " + ms + " after " + previous);
            previous = ms;
        }
        assertTrue(previous >= CAP.toMillis() - 1, "reaches the cap: " + previous);
    }

    @Test
    void neverExceedsCapWithRealRandomness() {
        Backoff b = new Backoff(INITIAL, CAP, 1.7, new SplittableRandom(7));
        for (int i = 0; i < 10_000; i++) {
            Duration d = b.next();
            assertTrue(!d.isNegative() && d.compareTo(CAP) <= 0, d.toString());
        }
    }

    @Test
    void fullJitterSpreadsDelaysDownToZero() {
        Backoff b = new Backoff(INITIAL, CAP, 2.0, LOWEST);
        for (int i = 0; i < 20; i++) {
            assertEquals(Duration.ZERO, b.next());
        }
        Backoff random = new Backoff(CAP, CAP, 2.0, new SplittableRandom(11));
        double sum = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            sum += random.next().toMillis();
        }
        double mean = sum / n;
        assertTrue(Math.abs(mean - CAP.toMillis() / 2.0) < CAP.toMillis() * 0.05, "uniform mean near half the cap: " + mean);
    }

    @Test
    void resetStartsOverFromInitial() {
        Backoff b = new Backoff(INITIAL, CAP, 3.0, HIGHEST);
        for (int i = 0; i < 10; i++) {
            b.next();
        }
        b.reset();
        assertTrue(b.next().toMillis() <= INITIAL.toMillis());
        assertTrue(b.next().toMillis() > INITIAL.toMillis());
    }

    @Test
    void permanentErrorWaitsAtLeastHalfTheCap() {
        Backoff b = new Backoff(INITIAL, CAP, 2.0, LOWEST);
        assertEquals(CAP.dividedBy(2), b.nextAtCap());
        Backoff high = new Backoff(INITIAL, CAP, 2.0, HIGHEST);
        Duration d = high.nextAtCap();
        assertTrue(d.compareTo(CAP) <= 0 && d.toMillis() >= CAP.toMillis() - 1, d.toString());
        assertTrue(high.next().toMillis() >= CAP.toMillis() - 1, "later transient errors continue from the cap");
    }

    @Test
    void rejectsNonsenseParameters() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, CAP, 2.0, LOWEST));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(CAP, INITIAL, 2.0, LOWEST));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(INITIAL, CAP, 0.5, LOWEST));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(INITIAL, CAP, Double.NaN, LOWEST));
    }
}
