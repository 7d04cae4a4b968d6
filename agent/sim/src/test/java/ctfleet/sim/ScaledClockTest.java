package ctfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScaledClockTest {
    @Test
    void aCompressedRunEndsWhenTheRealRunEnds() {
        Instant now = Instant.parse("2026-03-02T12:00:00Z");
        Duration run = Duration.ofMinutes(5);
        Instant start = ScaledClock.startFor(now, run, 288);
        // 5 minutes at 288x is a day of history that ends at now + 5 minutes, when the run ends.
        assertEquals(now.plus(run).minus(Duration.ofDays(1)), start);
        assertEquals(now, ScaledClock.startFor(now, run, 1), "real time starts now");
    }

    @Test
    void runsFasterThanRealTime() throws InterruptedException {
        Instant start = Instant.parse("2026-03-02T12:00:00Z");
        ScaledClock clock = new ScaledClock(start, 1000);
        Thread.sleep(20);
        Duration passed = Duration.between(start, clock.instant());
        assertTrue(passed.compareTo(Duration.ofSeconds(20)) >= 0, passed.toString());
    }
}
