package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each kind of history a gateway has, forecast as the server reads it (two days of one-minute
 * samples in 10-minute buckets): the probability, the ETA and its range, and the reason.
 */
class FillForecasterTest {
    static final long MAX = 262_144;
    static final Instant NOW = Series.NOW;
    static final int DAY = 1440;
    static final Duration DAY_H = Duration.ofHours(24);

    /** Two days of minutes ending at NOW: fill(i) for i minutes before now, with Gaussian noise of sd. */
    static List<CountPoint> minutes(double sd, long seed, IntToDoubleFunction fill) {
        return minutes(2 * DAY, sd, seed, fill, i -> 1, i -> true);
    }

    static List<CountPoint> minutes(int n, double sd, long seed, IntToDoubleFunction fill,
            java.util.function.IntUnaryOperator boot, java.util.function.IntPredicate observed) {
        Random r = new Random(seed);
        List<CountPoint> out = new ArrayList<>();
        for (int ago = n - 1; ago >= 0; ago--) {
            double f = fill.applyAsDouble(ago) + r.nextGaussian() * sd;
            if (!observed.test(ago)) {
                continue;
            }
            long c = Math.max(0, Math.min(MAX, Math.round(f * MAX)));
            out.add(new CountPoint(NOW.minus(Duration.ofMinutes(ago)), c, MAX, c, 1, boot.applyAsInt(ago)));
        }
        return out;
    }

    static FillForecast forecast(List<CountPoint> raw) {
        return FillForecaster.forecast(CountBuckets.forForecast(raw, CountBuckets.MIN_CONTEXT), NOW, MAX, DAY_H);
    }

    /** The forecast as the server makes it: buckets of the two days, and the newest hour raw. */
    static FillForecast withLastHour(List<CountPoint> raw) {
        List<CountPoint> lastHour = raw.subList(raw.size() - 60, raw.size());
        return FillForecaster.forecast(CountBuckets.forForecast(raw, CountBuckets.MIN_CONTEXT), lastHour, NOW, MAX,
                DAY_H);
    }

    static double hours(java.util.OptionalDouble s) {
        return s.getAsDouble() / 3600;
    }

    @Test
    void aFlatHostFarFromMaxNeverFills() {
        FillForecast f = forecast(minutes(0.01, 1, ago -> 0.40));
        assertEquals(0, f.pFull(), 0.001);
        assertTrue(f.etaSeconds().isEmpty());
        assertEquals("flat at 40 %", f.reason());
    }

    @Test
    void steadyGrowthFillsWhenTheLineSaysWithARangeAroundIt() {
        // 40 % two days ago, +0.8 %/h: 78 % now; the line reaches max in 27.5 h, and the samples'
        // noise (1 % of max) touches max two to three hours before that.
        FillForecast f = forecast(minutes(0.01, 2, ago -> 0.78 - 0.008 * ago / 60.0));
        assertEquals(25, hours(f.etaSeconds()), 1.5);
        assertTrue(hours(f.etaLowSeconds()) <= hours(f.etaSeconds()));
        assertTrue(hours(f.etaHighSeconds()) >= hours(f.etaSeconds()));
        assertTrue(f.pFull() < 0.5, "the median is beyond the 24 h horizon: " + f.pFull());
        assertTrue(f.reason().startsWith("growing 0.8 %/h since"), f.reason());
        FillForecast in48 = FillForecaster.forecast(CountBuckets.forForecast(minutes(0.01, 2,
                ago -> 0.78 - 0.008 * ago / 60.0), CountBuckets.MIN_CONTEXT), NOW, MAX, Duration.ofHours(48));
        assertTrue(in48.pFull() > 0.95, "within 48 h it is near certain: " + in48.pFull());
    }

    @Test
    void aStepUpThatStaysBelowMaxIsNotGrowth() {
        // The case: 55 % for a day and a half, then traffic failed over to it: 93 %, flat since.
        FillForecast f = forecast(minutes(0.005, 3, ago -> ago > 6 * 60 ? 0.55 : 0.93));
        assertTrue(f.pFull() < 0.1, "p " + f.pFull());
        assertTrue(f.etaSeconds().isEmpty());
        assertTrue(f.reason().startsWith("stepped up 55 → 93 % at "), f.reason());
        assertTrue(f.reason().contains("flat since"), f.reason());
    }

    @Test
    void aStepDownIsNotAFallingTrend() {
        FillForecast f = forecast(minutes(0.005, 4, ago -> ago > 10 * 60 ? 0.90 : 0.50));
        assertEquals(0, f.pFull(), 0.01);
        assertTrue(f.reason().startsWith("stepped down 90 → 50 % at"), f.reason());
        assertEquals(0, f.slopePerSecond(), 0.05, "the step is not read as a slope");
    }

    @Test
    void growthThatBeganRecentlyIsFittedFromWhereItBegan() {
        // Flat at 30 % until 8 hours ago, then +5 %/h: 70 % now, full in 6 h.
        FillForecast f = forecast(minutes(0.005, 5, ago -> ago > 8 * 60 ? 0.30 : 0.70 - 0.05 * ago / 60.0));
        assertEquals(6, hours(f.etaSeconds()), 1);
        assertTrue(f.pFull() > 0.95);
        assertTrue(f.reason().startsWith("growing 5.0 %/h since"), f.reason());
    }

    @Test
    void aDailyCrestBelowMaxIsNotARisk() {
        // Evening crest at 80 %, night trough at 40 %; now (12:00 UTC) on the rising edge.
        FillForecast f = forecast(minutes(0.01, 6, ago -> 0.60 + 0.20 * Math.sin(2 * Math.PI * (DAY - ago) / DAY)));
        assertTrue(f.pFull() < 0.05, "p " + f.pFull());
        assertTrue(f.reason().contains("daily crest 8"), f.reason());
    }

    @Test
    void aDailyCrestAboveMaxFillsItAtTheCrest() {
        // The same wave 25 points higher: its crest is clamped at max every day.
        FillForecast f = forecast(minutes(0.01, 7, ago -> 0.85 + 0.20 * Math.sin(2 * Math.PI * (DAY - ago) / DAY)));
        assertTrue(f.pFull() > 0.9, "p " + f.pFull());
        assertTrue(f.reason().contains("daily crest reaches max at"), f.reason());
        // Now is 12:00 on the way up (sin = 0 at noon, 1 at 18:00): full within the afternoon.
        assertTrue(hours(f.etaSeconds()) < 6, "eta " + hours(f.etaSeconds()));
    }

    @Test
    void growthOnADailyCycleSaysWhenThePathReachesMaxNotTheEndOfTheDay() {
        // +1 %/h under a daily wave of ±10 points, at 85 % now (noon, on the rise): the path reaches max
        // in about 5 hours, and the phrase must name that time, the one the median ETA gives, not the
        // end of the day ahead, where the growing path is highest.
        FillForecast f = forecast(minutes(0.005, 9,
                ago -> 0.85 - 0.01 * ago / 60.0 + 0.10 * Math.sin(2 * Math.PI * (DAY - ago) / DAY)));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("daily crest reaches max at (\\d\\d):(\\d\\d)$")
                .matcher(f.reason());
        assertTrue(m.find(), f.reason());
        Instant said = NOW.truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                .plusSeconds(Integer.parseInt(m.group(1)) * 3600L + Integer.parseInt(m.group(2)) * 60L);
        if (said.isBefore(NOW)) {
            said = said.plusSeconds(86_400);
        }
        assertEquals(f.etaSeconds().getAsDouble(), Duration.between(NOW, said).toSeconds(), 2 * 3600, f.reason());
    }

    @Test
    void burstsThatReachedMaxBeforeMakeItLikelyAgain() {
        // 50 % with a 40-minute burst to max every 8 hours.
        FillForecast f = forecast(minutes(0.005, 8, ago -> {
            int phase = (ago + 200) % 480;
            return phase < 40 ? 0.50 + 0.6 * Math.sin(Math.PI * phase / 40) : 0.50;
        }));
        assertTrue(f.pFull() > 0.5, "p " + f.pFull());
        assertTrue(f.reason().contains("burst"), f.reason());
        // The same host without bursts: nothing.
        assertEquals(0, forecast(minutes(0.005, 8, ago -> 0.50)).pFull(), 0.001);
    }

    @Test
    void aBurstIsDescribedAsHistoryShowsIt() {
        // Held at max from 10 h to 7 h ago: the reason gives those times, not a height moved to
        // today's level (which read "highest 97 %" for a host that history shows clamped at max).
        FillForecast clamped = forecast(minutes(0.004, 11, ago -> ago > 420 && ago < 600 ? 1.2 : 0.30));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("at max (\\d\\d:\\d\\d)–(\\d\\d:\\d\\d)")
                .matcher(clamped.reason());
        assertTrue(m.find(), clamped.reason());
        assertEquals(600, minutesAgo(m.group(1)), 10, clamped.reason());
        assertEquals(420, minutesAgo(m.group(2)), 10, clamped.reason());
        // A burst to 70 % five hours ago: its own height and time.
        FillForecast burst = forecast(minutes(0.004, 12, ago -> ago >= 290 && ago < 310 ? 0.70 : 0.30));
        m = java.util.regex.Pattern.compile("1 burst above the trend, highest (\\d+) % at (\\d\\d:\\d\\d)$")
                .matcher(burst.reason());
        assertTrue(m.find(), burst.reason());
        assertEquals(70, Integer.parseInt(m.group(1)), 2, burst.reason());
        assertEquals(300, minutesAgo(m.group(2)), 10, burst.reason());
    }

    /** Minutes before NOW of a clock time said in a reason (within the last day). */
    private static long minutesAgo(String hhmm) {
        Instant day = NOW.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        Instant said = day.plusSeconds(Integer.parseInt(hhmm.substring(0, 2)) * 3600L
                + Integer.parseInt(hhmm.substring(3)) * 60L);
        if (said.isAfter(NOW)) {
            said = said.minusSeconds(86_400);
        }
        return Duration.between(said, NOW).toMinutes();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {20, 21, 22, 25, 28, 29})
    void aRebootsRefillIsNotGrowth(int rebootedAgo) {
        // Flat at 60 %; rebooted 20-29 minutes ago (every place in a 10-minute bucket) and refilling
        // (time constant 10 minutes). The bucket the reboot fell in holds both boots.
        List<CountPoint> raw = minutes(2 * DAY, 0.005, 9,
                ago -> ago >= rebootedAgo ? 0.60 : 0.60 * (1 - Math.exp(-(rebootedAgo - ago) / 10.0)),
                ago -> ago >= rebootedAgo ? 1 : 2, ago -> true);
        FillForecast f = forecast(raw);
        assertEquals(0, f.pFull(), 0.01);
        assertTrue(f.reason().startsWith("rebooted at "), f.reason());
        assertTrue(f.reason().contains("refilling toward 60 %"), f.reason());
    }

    @Test
    void gapsDoNotChangeTheTrend() {
        IntToDoubleFunction line = ago -> 0.78 - 0.008 * ago / 60.0;
        FillForecast whole = forecast(minutes(0.01, 10, line));
        FillForecast gappy = forecast(minutes(2 * DAY, 0.01, 10, line, ago -> 1,
                ago -> !(ago > 600 && ago < 800) && !(ago > 2000 && ago < 2200)));
        assertEquals(hours(whole.etaSeconds()), hours(gappy.etaSeconds()), 1.5);
    }

    @Test
    void noiseThatGrowsWithTheLevelFillsEarlierThanItsLine() {
        // The line reaches max in ~27 h; noise of 4 % of the level makes the peaks get there first.
        Random r = new Random(11);
        List<CountPoint> raw = new ArrayList<>();
        for (int ago = 2 * DAY - 1; ago >= 0; ago--) {
            double level = 0.78 - 0.008 * ago / 60.0;
            long c = Math.round(Math.min(1, level * (1 + 0.04 * r.nextGaussian())) * MAX);
            raw.add(new CountPoint(NOW.minus(Duration.ofMinutes(ago)), c, MAX, c, 1, 1));
        }
        FillForecast f = forecast(raw);
        assertTrue(hours(f.etaSeconds()) < 26, "eta " + hours(f.etaSeconds()));
        assertTrue(f.pFull() > 0.2, "p " + f.pFull());
    }

    @Test
    void aFewSamplesSaySoInsteadOfGuessing() {
        List<CountPoint> two = minutes(2, 0, 12, ago -> 0.95, ago -> 1, ago -> true);
        FillForecast f = FillForecaster.forecast(two, NOW, MAX, DAY_H);
        assertEquals(0, f.pFull());
        assertEquals("2 samples so far: no trend yet", f.reason());
    }

    @Test
    void twentyMinutesOfFastGrowthAreEnough() {
        // A new host, 20 one-minute samples, +1 % a minute from 60 %: full in about 20 minutes.
        List<CountPoint> raw = minutes(20, 0.002, 13, ago -> 0.79 - 0.01 * ago, ago -> 1, ago -> true);
        FillForecast f = forecast(raw);
        assertTrue(f.pFull() > 0.95, "p " + f.pFull());
        assertEquals(21, f.etaSeconds().getAsDouble() / 60, 5);
    }

    @Test
    void aTableAtMaxNowIsFullNow() {
        FillForecast f = forecast(minutes(0, 14, ago -> ago < 30 ? 1.2 : 0.7));
        assertEquals(1, f.pFull());
        assertEquals(0, f.etaSeconds().getAsDouble());
        assertTrue(f.reason().startsWith("at max since "), f.reason());
    }

    @Test
    void aSurgeInTheLastHourIsSeenInRawSamples() {
        // Flat at 40 % for two days, then in the last 40 minutes +60 %/h: 80 % now.
        IntToDoubleFunction fill = ago -> ago > 40 ? 0.40 : 0.80 - 0.01 * ago;
        FillForecast f = withLastHour(minutes(0.003, 15, fill));
        assertTrue(f.pFull() > 0.4, "p " + f.pFull());
        assertTrue(f.reason().contains("rising"), f.reason());
    }

    @Test
    void aRampThatBeganMinutesAgoIsSeenOnItsOwnStretch() {
        // Flat at 45 % for two days, then +1.5 %/min for the last 15 minutes: a line through the
        // whole hour bends into a hockey stick and reads this as noise; the line through the ramp
        // alone does not.
        List<CountPoint> raw = minutes(0.004, 31, ago -> ago > 15 ? 0.45 : 0.675 - 0.015 * ago);
        FillForecast f = withLastHour(raw);
        assertTrue(f.pFull() > 0.3, "p " + f.pFull());
        assertTrue(f.reason().contains("rising"), f.reason());
        assertTrue(f.reason().matches("at 45 % until 11:4\\d; rising \\d+ %/h over the last 1\\d min"),
                "seen on the ramp's stretch, not the hour, after the level it left: " + f.reason());
    }

    @Test
    void aHostThatDriftedThisFastBeforeAndTurnedIsNotSurging() {
        // Parked near 85 %, drifting up and down ±3 % every three hours all along (4 %/h each way):
        // the last hour rises 4 %/h, as a hundred hours before it did, and turned. Its own line's
        // error bar says the rise stands out; its history says it does not.
        IntToDoubleFunction zigzag = ago -> {
            double phase = ((ago + 30) % 180) / 90.0; // 0..2: down-leg then up-leg, now 60 min up
            return 0.85 + 0.03 * (phase < 1 ? 1 - 2 * phase : 2 * phase - 3);
        };
        FillForecast drifting = withLastHour(minutes(0.002, 41, zigzag));
        assertFalse(drifting.reason().contains("rising"), drifting.reason());
        assertTrue(drifting.pFull() < 0.1, "p " + drifting.pFull());
        // The same rise on a host that never drifted: a surge.
        FillForecast quiet = withLastHour(minutes(0.002, 41, ago -> ago >= 60 ? 0.82 : 0.86 - 0.04 * ago / 60.0));
        assertTrue(quiet.reason().contains("rising"), quiet.reason());
    }

    @Test
    void aStepThatLandedMinutesAgoIsNotASurge() {
        // Up 20 % over 3 minutes, 12 minutes ago, flat since: the short stretches see a steep
        // line, but it levels off.
        List<CountPoint> raw = minutes(0.004, 32, ago -> ago > 15 ? 0.45 : ago > 12 ? 0.45 + 0.2 * (15 - ago) / 3 : 0.65);
        FillForecast f = withLastHour(raw);
        assertFalse(f.reason().contains("rising"), f.reason());
        assertTrue(f.pFull() < 0.05, "p " + f.pFull());
    }

    @Test
    void aDipThatRecoversIsNotASurge() {
        // Down to 30 % twenty minutes ago and back to the usual 45 % since: a line from the dip's
        // bottom rises steeply, but the level now is the level the hour had.
        List<CountPoint> raw = minutes(0.004, 33, ago -> ago > 25 || ago < 5 ? 0.45 : 0.30 + 0.15 * Math.abs(15 - ago) / 10);
        FillForecast f = withLastHour(raw);
        assertFalse(f.reason().contains("rising"), f.reason());
        assertTrue(f.pFull() < 0.05, "p " + f.pFull());
    }

    @Test
    void aCycleShorterThanTheHourIsNoSurgeAtAnyPhase() {
        // A job every ten minutes: the count climbs 30 → 84 % over nine minutes and falls back in one.
        // Its climbs are steep, but each reaches where the one before did, and fell from: in four
        // phases of ten the rising stretch read as a storm (p_full 0.5, "rising 362 %/h").
        for (int phase = 0; phase < 10; phase++) {
            int at = phase;
            FillForecast f = withLastHour(minutes(0.004, 34, ago -> 0.30 + 0.06 * (9 - Math.floorMod(ago + at, 10))));
            assertFalse(f.reason().contains("rising"), "phase " + phase + ": " + f.reason());
            assertTrue(f.pFull() < 0.05, "phase " + phase + ": p " + f.pFull());
        }
        // The same climb where the hour has not been is a storm.
        FillForecast storm = withLastHour(minutes(0.004, 34, ago -> ago >= 9 ? 0.30 : 0.30 + 0.06 * (9 - ago)));
        assertTrue(storm.reason().contains("rising"), storm.reason());
        assertTrue(storm.pFull() > 0.3, "p " + storm.pFull());
    }

    @Test
    void burstsThatStopAtOneHeightReadTheSameAtEveryPhaseOfTheirJob() {
        // A job every 30 minutes: +40 % over six minutes, held four, back to 45 %; 98 bursts to 85 %
        // in two days and none higher. Whether the window's newer half happened to peak a few
        // tenths of a point above the older decided if a burst could go further (p_full 0.28,
        // warn) or not (0): the alert came and went with the job's phase.
        for (int phase = 0; phase < 30; phase++) {
            int at = phase;
            FillForecast f = withLastHour(minutes(0.004, 35, ago -> {
                int ph = Math.floorMod(at - ago, 30);
                return 0.45 + (ph < 6 ? 0.4 * ph / 6.0 : ph < 10 ? 0.4 : 0);
            }));
            assertTrue(f.pFull() < 0.05, "phase " + phase + ": " + f);
        }
    }

    /** Two days of minutes ending at NOW: demand(i) of MAX for i minutes before now, clamped at max before a raise to 2·MAX {@code raised} minutes ago. */
    private static List<CountPoint> raisedAgo(int raised, long seed, IntToDoubleFunction demand) {
        Random r = new Random(seed);
        List<CountPoint> out = new ArrayList<>();
        for (int ago = 2 * DAY - 1; ago >= 0; ago--) {
            long max = ago >= raised ? MAX : 2 * MAX;
            long c = Math.max(0, Math.min(max, Math.round((demand.applyAsDouble(ago) + r.nextGaussian() * 0.004) * MAX)));
            out.add(new CountPoint(NOW.minus(Duration.ofMinutes(ago)), c, max, c, 1, 1));
        }
        return out;
    }

    /** {@link #withLastHour} for a host whose max is now 2·MAX. */
    private static FillForecast raisedForecast(List<CountPoint> raw) {
        return FillForecaster.forecast(CountBuckets.forForecast(raw, CountBuckets.MIN_CONTEXT),
                raw.subList(raw.size() - 60, raw.size()), NOW, 2 * MAX, DAY_H);
    }

    @Test
    void aRaiseOfMaxOffAFullTableIsReadTheSameWhereverItFallsInItsBucket() {
        // Demand growing 2 % of the old max an hour, held at max for a day and a half, max doubled:
        // 85 % of the new max now, filling again in about 15 hours. Every minute of a bucket, in the
        // first hour after the raise and after it.
        for (int raised : new int[] {31, 33, 36, 38, 40, 43, 45, 47, 49, 52, 95, 127}) {
            FillForecast growing = raisedForecast(raisedAgo(raised, raised, ago -> 1.7 - 0.02 * ago / 60.0));
            // (From six points after the raise, the newest regime's own slope: 1.3 %/h read from 1.0.)
            assertTrue(growing.pFull() > 0.9 && Math.abs(hours(growing.etaSeconds()) - 15) < 6,
                    raised + " min: " + growing);
            assertTrue(growing.reason().contains("max raised 262144 → 524288 at")
                    || growing.reason().startsWith("full until max was raised 262144 → 524288 at"), growing.reason());
            assertFalse(growing.reason().contains("stepped"), raised + " min: " + growing.reason());
        }
        // The same raise on demand that stopped at 130 % a day ago: never "stepped down", and ok.
        for (int raised : new int[] {65, 72, 84, 97, 127, 185}) {
            FillForecast flat = raisedForecast(raisedAgo(raised, raised,
                    ago -> ago > DAY ? 1.3 - 0.6 * (ago - DAY) / DAY : 1.3));
            assertTrue(flat.pFull() < 0.05, raised + " min: " + flat);
            assertTrue(flat.reason().startsWith("full until max was raised 262144 → 524288 at"),
                    raised + " min: " + flat.reason());
        }
    }

    @Test
    void aStormMinutesFromMaxHasAMedianEtaWhicheverWayTheRoundingFalls() {
        // Flat at 45 %, then +1.5 %/min: half the belief is the surge, which fills within minutes,
        // and that half sums to 0.5 give or take 1e-16. Where it fell short, F never reached the
        // median: "p_full 50 %, ETA —" for a host at 96 % and rising (and warn where it rounded
        // down, crit where it did not: RankerTest).
        for (int since = 20; since <= 36; since++) {
            int s = since;
            FillForecast f = withLastHour(minutes(0.004, 36, ago -> ago > s ? 0.45 : 0.45 + 0.015 * (s - ago)));
            assertTrue(f.pFull() >= 0.5 - 1e-9, since + " min: " + f);
            assertTrue(f.etaSeconds().isPresent() && hours(f.etaSeconds()) < 1, since + " min: " + f);
        }
    }

    @Test
    void theEtaRangeAndTheProbabilityAgree() {
        for (double slope : new double[] {0.002, 0.005, 0.01, 0.02, 0.04}) {
            double s = slope;
            FillForecast f = forecast(minutes(0.01, 16, ago -> 0.5 - s * ago / 60.0));
            if (f.etaSeconds().isEmpty()) {
                assertTrue(f.pFull() < 0.5 + 1e-9, "no median ETA, so under one half: " + f.pFull());
                continue;
            }
            double eta = f.etaSeconds().getAsDouble();
            assertEquals(eta <= DAY_H.toSeconds(), f.pFull() >= 0.5, "slope " + s + ": eta " + eta + ", p " + f.pFull());
            assertTrue(f.etaLowSeconds().getAsDouble() <= eta);
            f.etaHighSeconds().ifPresent(high -> assertTrue(high >= eta));
        }
    }

    @Test
    void aWeeklyCycleNeedsTwoWeeksAndThenShowsItsCrest() {
        // Busy weekdays (70 %), quiet weekends (35 %), 15 days of 10-minute samples; now is Monday noon.
        List<CountPoint> raw = new ArrayList<>();
        Random r = new Random(17);
        Instant monday = Instant.parse("2026-03-02T12:00:00Z");
        for (int ago = 15 * 144; ago >= 0; ago--) {
            Instant t = monday.minus(Duration.ofMinutes(10L * ago));
            int dow = t.atZone(java.time.ZoneOffset.UTC).getDayOfWeek().getValue();
            double level = 0.35 + 0.35 * weekday(t);
            long c = Math.round((level + 0.005 * r.nextGaussian()) * MAX);
            raw.add(new CountPoint(t, c, MAX, c, 1, 1));
        }
        FillForecast f = FillForecaster.forecast(CountBuckets.aggregate(raw, CountBuckets.HOUR), monday, MAX, DAY_H);
        assertEquals(0, f.pFull(), 0.01);
        assertTrue(f.reason().contains("weekly crest"), f.reason());
    }

    /** 1 on weekdays and 0 at weekends, with two-hour ramps from Monday 00:00 and Saturday 00:00 UTC. */
    private static double weekday(Instant t) {
        var z = t.atZone(java.time.ZoneOffset.UTC);
        double hours = (z.getDayOfWeek().getValue() - 1) * 24 + z.getHour() + z.getMinute() / 60.0;
        return hours < 2 ? hours / 2 : hours < 120 ? 1 : Math.max(0, 1 - (hours - 120) / 2);
    }

    @Test
    void aStepThatHappenedToAFailoverPartnerIsSeenOnBothSides() {
        // A pair: a takes b's load for the last 5 hours.
        FillForecast a = forecast(minutes(0.005, 18, ago -> ago < 300 ? 0.45 + 0.40 : 0.45));
        FillForecast b = forecast(minutes(0.005, 19, ago -> ago < 300 ? 0.01 : 0.40));
        assertTrue(a.reason().startsWith("stepped up 45 → 85 %"), a.reason());
        assertTrue(b.reason().startsWith("stepped down 40 → 1 %"), b.reason());
        assertFalse(a.pFull() > 0.1, "85 % and flat: " + a.pFull());
    }

    @Test
    void aHostDrainedMinutesAgoAfterASteadyDayIsNoLikelierToGrow() {
        // Flat at 60 % for two days, drained to 2 % 40 minutes ago: four buckets, too few for a
        // slope. The prior alone gave it 1.5 % of filling within the day, above every quiet host
        // at 90 %; the steady day before says it is not growing.
        FillForecast drained = forecast(minutes(0.002, 77, ago -> ago >= 40 ? 0.60 : 0.02));
        assertTrue(drained.reason().startsWith("stepped down 60 → 2 %"), drained.reason());
        assertTrue(drained.pFull() < 0.002, "steady, then drained: " + drained.pFull());
        // Growing 20 points a day before the same drain: the fresh regime keeps the prior's doubt.
        FillForecast grew = forecast(minutes(0.002, 77, ago -> ago >= 40 ? 0.70 - 0.2 * ago / DAY : 0.02));
        assertTrue(grew.pFull() > 0.005 && grew.pFull() < 0.05, "growing, then drained: " + grew.pFull());
    }

    @Test
    void aBucketWhosePeakCaughtTheStartOfAStepIsNotABurst() {
        // Flat at 59 %, then up to 88 % five hours ago; the ramp began in the last minute of the
        // bucket before (06:59): that bucket's average is still the old level, its peak a quarter
        // of the way up. Samples taken every 10 s catch such a peak often. It is the step, not a
        // burst of the old level, and a host parked at 88 % gets no chance of bursting to max from it.
        List<CountPoint> raw = minutes(0.002, 41, ago -> ago > 301 ? 0.59 : ago == 301 ? 0.66 : 0.88);
        FillForecast f = forecast(raw);
        assertTrue(f.reason().startsWith("stepped up 59 → 88 %"), f.reason());
        assertFalse(f.reason().contains("burst"), f.reason());
        assertTrue(f.pFull() < 0.01, "p " + f.pFull());
    }

    @Test
    void samplesSecondsApartBecomeOnePointAMinuteAndTheNewestStaysAsItIs() {
        List<CountPoint> ten = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long c = 1000 + i;
            ten.add(new CountPoint(NOW.minusSeconds(10L * (29 - i)), c, MAX, c, 1, 1));
        }
        List<CountPoint> read = CountBuckets.perMinute(ten);
        // 12:00:00 is the newest; the 29 before it fill 11:55:10 .. 11:59:50, five minutes.
        assertEquals(6, read.size(), read.toString());
        assertEquals(ten.get(29), read.get(5));
        CountPoint first = read.get(0);
        assertEquals(1002, first.count(), "11:55:10–11:55:50, five samples 1000..1004");
        assertEquals(1004, first.peak());
        assertEquals(5, first.samples());
        assertEquals(6, read.get(1).samples());
        List<CountPoint> minute = Series.counts(30, MAX, i -> 1000 + i);
        assertTrue(CountBuckets.perMinute(minute) == minute, "a sample a minute is read as it is");
        // A 30 s scrape that is sometimes a little late is still read a minute at a time; a sample a
        // minute that is sometimes a little early is not.
        Random r = new Random(7);
        List<CountPoint> thirty = new ArrayList<>();
        List<CountPoint> sixty = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long jitter = r.nextInt(2001) - 1000;
            thirty.add(new CountPoint(NOW.minusMillis(30_000L * (39 - i) + jitter), 1000, MAX));
            sixty.add(new CountPoint(NOW.minusMillis(60_000L * (39 - i) + jitter), 1000, MAX));
        }
        assertTrue(CountBuckets.perMinute(thirty).size() <= 22, "30 s: " + CountBuckets.perMinute(thirty).size());
        assertTrue(CountBuckets.perMinute(sixty) == sixty);
        List<CountPoint> buckets = CountBuckets.aggregate(ten, CountBuckets.BUCKET);
        assertTrue(CountBuckets.perMinute(buckets) == buckets);
    }

    /**
     * An office gateway: {@code night} until the ramp, a one-hour climb ending at {@code opens}
     * (minutes after midnight UTC), {@code day} until {@code closes}, a one-hour fall.
     */
    static IntToDoubleFunction office(double night, double day, int opens, int closes) {
        return ago -> {
            int clock = Math.floorMod(12 * 60 - ago, DAY); // NOW is 12:00 UTC
            double t = clock - opens;
            double share;
            if (t < -60 || clock > closes + 60) {
                share = 0;
            } else if (t < 0) {
                share = 0.5 + 0.5 * Math.cos(Math.PI * t / 60);
            } else if (clock > closes) {
                share = 0.5 + 0.5 * Math.cos(Math.PI * (clock - closes) / 60);
            } else {
                share = 1;
            }
            return night + (day - night) * share;
        };
    }

    @Test
    void anOfficeDayIsItsRoutineNotAStep() {
        // 29 % at night, 78 % from 07:00 to 16:30, an hour's climb and fall: at 10-minute buckets each
        // climb is as abrupt as a failover, and two harmonics bend through the plateau (crest 88 %,
        // residuals of ten points every day: p_full near 0.5 before the routine was recognised).
        FillForecast f = forecast(minutes(0.005, 51, office(0.29, 0.78, 7 * 60, 16 * 60 + 30)));
        assertFalse(f.reason().contains("stepped"), f.reason());
        assertTrue(f.pFull() < 0.01, "p " + f.pFull() + " " + f.reason());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("daily crest (\\d+) %").matcher(f.reason());
        assertTrue(m.find(), f.reason());
        assertEquals(78, Integer.parseInt(m.group(1)), 2, f.reason());
    }

    @Test
    void anOfficeThatOpensHigherThanMaxStillFills() {
        // The same routine with a plateau above max: every day clamped at max, so it fills again.
        FillForecast f = forecast(minutes(0.005, 52, office(0.40, 1.05, 7 * 60, 16 * 60 + 30)));
        assertTrue(f.pFull() > 0.9 || f.reason().startsWith("at max"), "p " + f.pFull() + " " + f.reason());
    }

    @Test
    void theMorningClimbIsNoSurge() {
        // 40 minutes into the office's hour-long climb (to 80 % at 12:20), the newest samples raw: the
        // same climb happened at this time yesterday and the day before, and stopped at 80 %.
        FillForecast f = withLastHour(minutes(0.005, 53, office(0.30, 0.80, 12 * 60 + 20, 20 * 60)));
        assertFalse(f.reason().contains("rising"), f.reason());
        assertTrue(f.pFull() < 0.05, "p " + f.pFull() + " " + f.reason());
        // A climb at an hour it never climbed before is still a surge.
        FillForecast storm = withLastHour(minutes(0.005, 53,
                ago -> ago > 40 ? 0.30 : 0.30 + 0.5 * (40 - ago) / 40.0));
        assertTrue(storm.reason().contains("rising"), storm.reason());
        assertTrue(storm.pFull() > 0.3, "p " + storm.pFull());
    }

    @Test
    void blipsWhileDrainedAreNoStormsAtTheLevelItCameBackTo() {
        // At 85 %, drained to 5 % for maintenance from 10 h to 6 h ago with blips of 4 points there
        // (a handful of flows), then back. Scaled up seventeen-fold in level as noise that grows with
        // it, those blips read as storms reaching max from 85 % (p_full 0.6 before).
        FillForecast f = forecast(minutes(0.003, 54, ago -> {
            if (ago > 10 * 60 || ago <= 6 * 60) {
                return 0.85;
            }
            return ago % 37 < 3 ? 0.09 : 0.05;
        }));
        assertTrue(f.reason().startsWith("stepped up 5 → 85 %"), f.reason());
        assertTrue(f.pFull() < 0.05, "p " + f.pFull() + " " + f.reason());
    }

    @Test
    void aCountThatWandersIsNoTrend() {
        // Load that drifts for hours and drifts back: a mean-reverting walk around 72 % (spread 7
        // points, memory a day), sampled every minute with noise of 0.3 %. Of the walks that climbed
        // 10 points or more over the last day to 82–92 %, the process itself decides how many reach
        // max within the next day: one in 60, since it turns back. Each climb read as a trend gave a
        // mean p_full of 0.29; the wander the window shows must hold it near the share that fills.
        int day = DAY;
        Random r = new Random(57);
        double memory = day;
        double spread = 0.07;
        double phi = Math.exp(-1 / memory);
        double step = spread * Math.sqrt(1 - phi * phi);
        int picked = 0;
        int filled = 0;
        double sumP = 0;
        for (int k = 0; k < 3000 && picked < 60; k++) {
            double[] x = new double[3 * day];
            double v = 0.72 + spread * r.nextGaussian();
            for (int i = 0; i < x.length; i++) {
                v = 0.72 + phi * (v - 0.72) + step * r.nextGaussian();
                x[i] = v;
            }
            int now = 2 * day - 1;
            if (x[now] < 0.82 || x[now] > 0.92 || x[now] - x[now - day] < 0.10) {
                continue;
            }
            boolean fills = false;
            for (int i = now + 1; i < x.length; i++) {
                fills |= x[i] >= 1;
            }
            sumP += forecast(minutes(0.003, k, ago -> x[now - ago])).pFull();
            filled += fills ? 1 : 0;
            picked++;
        }
        assertEquals(60, picked);
        double share = (double) filled / picked;
        assertEquals(share, sumP / picked, 0.2, "filled " + share + ", mean p_full " + sumP / picked);
    }

    @Test
    void aHostJustBelowMaxSaysByHowMuch() {
        // Flat at 99.8 % with a 0.1 % noise: it touches max within the day. Rounded, its reason read
        // "flat at 100 %; swings up to +0 points".
        FillForecast f = forecast(minutes(0.001, 5, ago -> 0.998));
        assertTrue(f.pFull() > 0.5, "p " + f.pFull());
        assertEquals("flat at 99.7 %; swings up to +0.2 points", f.reason());
    }

    @Test
    void aBatchThatPeaksAtOneHeightEveryHourStaysThere() {
        // A job opens 22 points of flows every hour on a flat 60 %; they time out over 8 minutes.
        // Its peaks sat at 82 % all of the two days. A bell through the buckets' two humps read
        // "flat at 60 %; swings up to +30 points" and max within the day (p 0.9).
        FillForecast f = forecast(minutes(0.005, 7, ago -> 0.60 + 0.22 * Math.exp(-Math.floorMod(-ago, 60) / 8.0)));
        assertTrue(f.pFull() < 0.05, "p " + f.pFull() + " " + f.reason());
        // Peaks that climb by the same 22 points a day do reach max: the bound is what was seen.
        FillForecast climbing = forecast(minutes(0.005, 7,
                ago -> 0.50 + 0.11 * (2 - ago / (double) DAY) + 0.22 * Math.exp(-Math.floorMod(-ago, 60) / 8.0)));
        assertTrue(climbing.pFull() > 0.5, "p " + climbing.pFull() + " " + climbing.reason());
    }

    @Test
    void stepsUpOneAfterAnotherAreATrend() {
        // Customers moved over in batches: +13 points 33, 20 and 6 hours ago, from 45 % to 84 % now.
        // Each step alone is a level, not a slope; together they reach max within the day if the
        // move goes on, so the staircase gets half the weight.
        FillForecast f = forecast(minutes(0.004, 58, ago -> {
            int steps = 0;
            for (int at : new int[] {33, 20, 6}) {
                steps += ago < at * 60 ? 1 : 0;
            }
            return 0.45 + 0.13 * steps;
        }));
        assertTrue(f.reason().contains("3 steps up since"), f.reason());
        assertTrue(f.pFull() > 0.3 && f.pFull() < 0.8, "p " + f.pFull() + " " + f.reason());
        // The same rise as one step six hours ago is a new level that has held.
        FillForecast one = forecast(minutes(0.004, 58, ago -> ago < 6 * 60 ? 0.84 : 0.45));
        assertFalse(one.reason().contains("steps up"), one.reason());
        assertTrue(one.pFull() < 0.1, "p " + one.pFull());
    }

    /** A step of traffic {@code ago} minutes before now, from {@code base}, settling toward {@code level} over lifetimes of {@code life} minutes. */
    private static IntToDoubleFunction settling(double base, double level, double life, int ago) {
        return a -> a >= ago ? base : base + (level - base) * -Math.expm1(-(ago - a) / life);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aCountSettlingAfterAStepOfTrafficLevelsOffBelowMax(long seed) {
        // A tenant arrived 8 hours ago; its connections live about 2 hours, so the count climbs from
        // 40 % toward 75 % as 1 − e^(−t/2h) and is at 74 %, still rising a little. A line through the
        // newest part put it at max in 30 hours (p_full 0.1, warn).
        FillForecast f = withLastHour(minutes(0.004, seed, settling(0.40, 0.75, 120, 480)));
        assertTrue(f.pFull() < 0.02, "p " + f.pFull() + " " + f.reason());
        assertTrue(f.reason().matches(".*slowing from \\d\\.\\d %/h, levels off near 7[5-9] %.*"), f.reason());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aCountSettlingAboveMaxStillFills(long seed) {
        // The same curve heading for 130 % of max: slowing, and still at max within hours.
        FillForecast f = withLastHour(minutes(0.004, seed, settling(0.40, 1.30, 240, 120)));
        assertTrue(f.pFull() > 0.5, "p " + f.pFull() + " " + f.reason());
        assertTrue(hours(f.etaSeconds()) < 3, f.reason());
        assertFalse(f.reason().contains("levels off"), f.reason());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void growthThatSettledToASteadierPaceIsStillATrend(long seed) {
        // Growth that sped up to 4 %/h over ten hours, then went on at 2 %/h for fourteen: the newest
        // line is straight, so the slower pace is the trend (80 % now: full in 10 hours), not an easing off.
        FillForecast f = withLastHour(minutes(0.004, seed, ago -> {
            int u = DAY - ago;
            return 0.3 + (u <= 0 ? 0 : u < 600 ? 0.02 / 60 * u * u / 600 : 0.02 / 60 * u);
        }));
        assertTrue(f.pFull() > 0.99, "p " + f.pFull() + " " + f.reason());
        assertEquals(10, hours(f.etaSeconds()), 1.5, f.reason());
        assertFalse(f.reason().contains("slowing"), f.reason());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aCountThatSettledAfterAClimbIsNoStaircase(long seed) {
        // The step of traffic came 21 hours ago (15 % toward 82 %, lifetimes of 99 minutes) and the
        // count has been flat at 82 % for 15 hours. The climb was cut into regimes whose lines jump
        // at their joints: it read "2 steps up" and p_full 0.58 (crit), with the climb's misfit
        // peaks as a burst of 13 points above the trend.
        FillForecast f = withLastHour(minutes(0.004, seed, settling(0.15, 0.82, 99, 1268)));
        assertTrue(f.pFull() < 0.01, "p " + f.pFull() + " " + f.reason());
        assertFalse(f.reason().contains("steps up"), f.reason());
    }

    @Test
    void aReturnCountsForWhatItAddsToTheLevelBeforeTheDrop() {
        // Levels by the hour over two days: 45 %, drained to 3 % at hour 15, back at 18 to 58 %
        // (13 points above where it was), +13 at 42. Two steps up from 45 %, since hour 18.
        double[] levels = new double[48];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = i < 15 ? 0.45 : i < 18 ? 0.03 : i < 42 ? 0.58 : 0.71;
        }
        List<CountPoint> points = Series.counts(48, Duration.ofHours(1), 100_000, i -> Math.round(levels[i] * 100_000));
        Observations o = Observations.of(points, Series.NOW, 100_000);
        List<Regimes.Start> starts = List.of(new Regimes.Start(0, Regimes.Kind.START),
                new Regimes.Start(15, Regimes.Kind.STEP), new Regimes.Start(18, Regimes.Kind.STEP),
                new Regimes.Start(42, Regimes.Kind.STEP));
        Staircase stairs = Staircase.find(o, starts, levels, 0.71, 0.002);
        assertEquals(2, stairs.steps());
        assertEquals(29 * 3600, stairs.since(), 1);
        assertEquals((0.71 - 0.45) / (29 / 24.0), stairs.slope(), 1e-9);
        // Back to 45 % only: the one step after it is no staircase.
        levels[18] = 0.45;
        double[] back = levels.clone();
        for (int i = 18; i < 42; i++) {
            back[i] = 0.45;
        }
        assertNull(Staircase.find(o, starts, back, 0.71, 0.002));
        // Half way back, then the rest: still the load returning, then the step at 42.
        double[] halves = back.clone();
        for (int i = 18; i < 30; i++) {
            halves[i] = 0.25;
        }
        List<Regimes.Start> more = List.of(new Regimes.Start(0, Regimes.Kind.START),
                new Regimes.Start(15, Regimes.Kind.STEP), new Regimes.Start(18, Regimes.Kind.STEP),
                new Regimes.Start(30, Regimes.Kind.STEP), new Regimes.Start(42, Regimes.Kind.STEP));
        assertNull(Staircase.find(o, more, halves, 0.71, 0.002));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
    void theSameStaircaseReadsTheSameWhereverItsStepsFallInTheBuckets(int minute) {
        // The steps of stepsUpOneAfterAnotherAreATrend moved by a minute at a time against the
        // 10-minute buckets, read as the server reads them (the newest hour raw). Landing one sample
        // into a bucket left that bucket a tenth of the way between the levels: a regime of its own
        // to the change search, and with the regime before it, the oldest step merged into a slope
        // ("2 bursts above the trend"), at one minute in ten.
        FillForecast f = withLastHour(minutes(2 * DAY, 0.004, 14, ago -> {
            int steps = 0;
            for (int at : new int[] {33, 20, 6}) {
                steps += ago < at * 60 + minute ? 1 : 0;
            }
            return 0.45 + 0.13 * steps;
        }, ago -> 1, ago -> true));
        assertTrue(f.reason().contains("3 steps up since") && !f.reason().contains("burst"), f.reason());
        assertTrue(f.pFull() > 0.3 && f.pFull() < 0.8, "p " + f.pFull() + " " + f.reason());
    }

    @Test
    void aFourthStepStillLeavesTheFirstAStep() {
        // Four batches ten hours apart: more regimes than the fit gives slopes to. The oldest share
        // one slope but keep their levels; merged into one line, the first step was growth, and a
        // daily crest of 87 % was fitted to what that line left over.
        FillForecast f = forecast(minutes(0.004, 62, ago -> {
            int steps = 0;
            for (int at : new int[] {40, 30, 20, 10}) {
                steps += ago < at * 60 ? 1 : 0;
            }
            return 0.30 + 0.10 * steps;
        }));
        assertTrue(f.reason().contains("4 steps up since") && !f.reason().contains("crest"), f.reason());
        assertTrue(f.reason().startsWith("stepped up 60 → 70 %"), f.reason());
    }

    @Test
    void anOfficeWeekInAWeekLongWindowIsNoRisk() {
        // The office of anOfficeDayIsItsRoutineNotAStep with quiet weekends, read over eight days of
        // hourly buckets (now is Monday noon). Two harmonics do not stand out of residuals that run
        // together for a weekend at a time, so no cycle is fitted; the weekdays are still one office
        // day. Read as wander, the week's swings gave p_full 0.36 ("swings up to +53 points").
        IntToDoubleFunction office = office(0.29, 0.78, 7 * 60, 16 * 60 + 30);
        IntToDoubleFunction week = ago -> {
            int dow = NOW.minus(Duration.ofMinutes(ago)).atZone(java.time.ZoneOffset.UTC).getDayOfWeek().getValue();
            return dow >= 6 ? 0.29 : office.applyAsDouble(ago);
        };
        List<CountPoint> raw = minutes(9 * DAY, 0.005, 61, week, ago -> 1, ago -> true);
        FillForecast f = FillForecaster.forecast(CountBuckets.forForecast(raw, CountBuckets.context(Duration.ofDays(8))),
                NOW, MAX, DAY_H);
        assertTrue(f.pFull() < 0.01, "p " + f.pFull() + " " + f.reason());
    }
}
