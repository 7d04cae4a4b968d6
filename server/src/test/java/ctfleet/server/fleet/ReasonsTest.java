package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pieces every reason is written with: percents, times and spans of time. */
class ReasonsTest {
    private static final Instant NOW = Instant.parse("2026-01-07T12:00:00Z");

    @Test
    void aPercentReadsAsFormatWouldPrintIt() {
        // Half up, as "%.0f" rounds: every half exactly, one ulp either side of it, noise, the odd.
        java.util.Random rnd = new java.util.Random(3);
        java.util.List<Double> fills = new java.util.ArrayList<>(java.util.List.of(Double.NaN,
                Double.POSITIVE_INFINITY, 1e13, 0.0, -0.0, -0.004, 0.004999999999999999, 0.005));
        for (int k = 0; k <= 20_000; k++) {
            double half = (k + 0.5) / 100;
            fills.add(half);
            fills.add(Math.nextUp(half));
            fills.add(Math.nextDown(half));
            fills.add(1.5 * rnd.nextDouble());
        }
        for (double f : fills) {
            if (f * 100 >= 99.5 && f < 1) {
                continue; // aLevelJustBelowMaxNeverReadsAsFull
            }
            assertEquals(String.format(java.util.Locale.ROOT, "%.0f", Math.max(0, f) * 100), Reasons.percentNumber(f),
                    "fill " + f);
        }
    }

    @Test
    void aLevelJustBelowMaxNeverReadsAsFull() {
        // "flat at 100 %" on a table at 99.7 % read as full; it refuses nothing yet.
        assertEquals("99 %", Reasons.percent(0.9949));
        assertEquals("99.5 %", Reasons.percent(0.995));
        assertEquals("99.7 %", Reasons.percent(0.9979));
        assertEquals("99.9 %", Reasons.percent(Math.nextDown(1.0)));
        assertEquals("100 %", Reasons.percent(1.0));
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 10_000; i++) {
            double f = 0.995 + 0.005 * rnd.nextDouble();
            double shown = Double.parseDouble(Reasons.percentNumber(f));
            assertEquals(true, shown >= 99.5 && shown < 100 && shown <= f * 100, "fill " + f + " shown " + shown);
        }
    }

    @Test
    void aFittedLevelBelowZeroReadsAsZero() {
        // The fit of a table just emptied (a failover, a reboot) can end a little below zero.
        assertEquals("0 %", Reasons.percent(-0.02));
        assertEquals("0 %", Reasons.percent(-0.004));
        assertEquals("0 %", Reasons.percent(-0.0));
        assertEquals("33 %", Reasons.percent(0.33));
    }

    @Test
    void aSpanIsDatedAtBothEndsWhenItCrossesMidnightAndEitherEndIsDated() {
        // Within 20 hours: clock times only, also across midnight.
        assertEquals("22:10–06:30", Reasons.span(Instant.parse("2026-01-06T22:10:00Z"),
                Instant.parse("2026-01-07T06:30:00Z"), NOW));
        // A start more than 20 hours ago carries its date; an end on the next day does too.
        assertEquals("01-06 08:10–01-07 06:30", Reasons.span(Instant.parse("2026-01-06T08:10:00Z"),
                Instant.parse("2026-01-07T06:30:00Z"), NOW));
        // On the same day, the start's date says which day the end is on.
        assertEquals("01-06 08:10–09:00", Reasons.span(Instant.parse("2026-01-06T08:10:00Z"),
                Instant.parse("2026-01-06T09:00:00Z"), NOW));
    }
}
