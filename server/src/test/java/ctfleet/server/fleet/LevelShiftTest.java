package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LevelShiftTest {
    /** Ten-second samples over {@code minutes}, count(i). */
    static List<CountPoint> tenSeconds(int minutes, java.util.function.IntToLongFunction count) {
        return Series.counts(minutes * 6 + 1, Duration.ofSeconds(10), 262_144, count);
    }

    @Test
    void aJumpThatHeldIsFoundWithHowFastAndHowLong() {
        // 60k for two hours, then 120k within one 10-second sample, for an hour.
        List<CountPoint> pts = tenSeconds(180, i -> i < 720 ? 60_000 + i % 7 * 10 : 120_000 + i % 5 * 10);
        LevelShift s = LevelShift.find(pts, 262_144).orElseThrow();
        assertEquals(Duration.ofSeconds(10), s.took());
        assertEquals(60_050, s.from(), "719 % 7 = 5");
        assertEquals(120_000, s.to());
        assertEquals(120_020, s.level(), 20);
        assertEquals(Duration.ofMinutes(60), s.held());
    }

    @Test
    void aJumpInTheLastMinutesIsFreshNotYetALevel() {
        List<CountPoint> pts = tenSeconds(90, i -> i < 535 ? 60_000 : 120_000);
        LevelShift s = LevelShift.find(pts, 262_144).orElseThrow();
        assertTrue(s.fresh(), s.toString());
        assertEquals(Duration.ofSeconds(50), s.held());
        assertTrue(LevelShift.find(tenSeconds(240, i -> i < 1_081 ? 60_000 : 120_000), 262_144).orElseThrow().fresh()
                == false, "an hour later it has held");
    }

    @Test
    void aRebootsClimbBackABurstAndADailyCrestAreNotSteps() {
        assertTrue(LevelShift.find(tenSeconds(240, i -> i >= 700 && i < 760 ? 0 : 80_000), 262_144).isEmpty(), "reboot");
        assertTrue(LevelShift.find(tenSeconds(240, i -> i >= 700 && i < 900 ? 262_144 : 50_000), 262_144).isEmpty(),
                "a 30-minute burst that fell back");
        List<CountPoint> day = Series.counts(48 * 6, Duration.ofMinutes(10), 262_144,
                i -> Math.round(100_000 + 60_000 * Math.sin(2 * Math.PI * i / 144.0)));
        assertTrue(LevelShift.find(day, 262_144).isEmpty(), "a daily cycle");
        List<CountPoint> compounding = Series.counts(72, Duration.ofHours(1), 262_144,
                i -> Math.round(20_000 * Math.pow(1.04, i)));
        assertTrue(LevelShift.find(compounding, 262_144).isEmpty(), "4 % an hour is steep, but no step");
    }

    @Test
    void smallStepsAreNoise() {
        assertTrue(LevelShift.find(tenSeconds(180, i -> i < 720 ? 60_000 : 66_000), 262_144).isEmpty());
    }
}
