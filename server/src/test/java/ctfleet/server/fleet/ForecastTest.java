package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ForecastTest {
    private static final long MAX = 100_000;

    @Test
    void predictLinearMatchesAnExactLine() {
        // 2 entries per minute from 40,000: now (i = 59) the line is at 40,118.
        List<CountPoint> pts = Series.counts(60, MAX, i -> 40_000 + 2L * i);
        Forecast f = PredictLinear.forecast(pts, Series.NOW, MAX);
        assertEquals(2 / 60.0, f.slopePerSecond(), 1e-9);
        assertEquals(40_118, f.fittedNow(), 1e-6);
        assertEquals((MAX - 40_118) / (2 / 60.0), f.etaSeconds().getAsDouble(), 1e-3);
    }

    @Test
    void envelopeEqualsPredictLinearOnANoiselessLine() {
        List<CountPoint> pts = Series.counts(60, MAX, i -> 40_000 + 2L * i);
        double pl = PredictLinear.forecast(pts, Series.NOW, MAX).etaSeconds().getAsDouble();
        double ours = EnvelopeForecaster.forecast(pts, Series.NOW, MAX).etaSeconds().getAsDouble();
        assertEquals(pl, ours, 1);
    }

    @Test
    void tableAlreadyAtMaxHasEtaZero() {
        List<CountPoint> pts = Series.counts(60, MAX, i -> MAX);
        assertEquals(0, EnvelopeForecaster.forecast(pts, Series.NOW, MAX).etaSeconds().getAsDouble());
        assertEquals(0, PredictLinear.forecast(pts, Series.NOW, MAX).etaSeconds().getAsDouble());
    }

    @Test
    void noLimitMeansNoEta() {
        List<CountPoint> pts = Series.counts(60, 0, i -> 1000L * i);
        assertTrue(EnvelopeForecaster.forecast(pts, Series.NOW, 0).etaSeconds().isEmpty());
    }

    @Test
    void noisyFlatHostHasNoTrend() {
        Random rnd = new Random(7);
        List<CountPoint> pts = Series.counts(60, MAX, i -> 50_000 + Math.round(rnd.nextGaussian() * 800));
        Forecast f = EnvelopeForecaster.forecast(pts, Series.NOW, MAX);
        assertEquals(0, f.slopePerSecond());
        assertTrue(f.etaSeconds().isEmpty(), "flat at 50% with 0.8% noise: " + f);
    }

    @Test
    void dailyCrestReachesMaxLongBeforeTheAverage() {
        // 3 days at 5-minute steps: average 55% growing 5% a day, daily wave ±30%.
        Duration step = Duration.ofMinutes(5);
        int n = 3 * 288;
        double nowSec = PredictLinear.seconds(Series.NOW);
        java.util.function.DoubleUnaryOperator demand = t ->
                MAX * (0.55 + 0.05 * (t - nowSec) / 86_400 + 0.30 * Math.sin(2 * Math.PI * t / 86_400));
        List<CountPoint> pts = Series.counts(n, step, MAX, i -> {
            double t = nowSec - (n - 1 - i) * step.toSeconds();
            return Math.round(demand.applyAsDouble(t));
        });
        double trueEta = 0;
        while (demand.applyAsDouble(nowSec + trueEta) < MAX) {
            trueEta += 60;
        }
        double ours = EnvelopeForecaster.forecast(pts, Series.NOW, MAX).etaSeconds().getAsDouble();
        double pl = PredictLinear.forecast(pts, Series.NOW, MAX).etaSeconds().orElse(Double.POSITIVE_INFINITY);
        assertEquals(trueEta, ours, 3600, "ours within an hour of the true crossing");
        // The straight line is off by more than half a day: it tracks the average, and a line through
        // three daily waves picks up a slope that depends on where in the day the window ends.
        assertTrue(Math.abs(pl - trueEta) > 43_200, "predict_linear " + pl + " vs true " + trueEta);
    }

    @Test
    void recentStormShortensTheEtaOfADayLongWindow() {
        // A day flat at 30%, then the last 50 minutes climbing 1% a minute.
        Duration step = Duration.ofMinutes(1);
        int n = 24 * 60;
        List<CountPoint> pts = Series.counts(n, step, MAX, i -> i < n - 50 ? 30_000 : 30_000 + 1000L * (i - (n - 50)));
        double ours = EnvelopeForecaster.forecast(pts, Series.NOW, MAX).etaSeconds().getAsDouble();
        double pl = PredictLinear.forecast(pts, Series.NOW, MAX).etaSeconds().orElse(Double.POSITIVE_INFINITY);
        // 79% now, +1000/min: about 21 minutes left.
        assertEquals(21 * 60, ours, 5 * 60);
        assertTrue(pl > 6 * 3600, "a day-long line dilutes the storm: " + pl);
    }

    @Test
    void expectedDailyExcursionGrowsWithSamplesPerDay() {
        double perMinute = EnvelopeForecaster.expectedDailyExcursion(1, 60);
        double perHour = EnvelopeForecaster.expectedDailyExcursion(1, 3600);
        assertEquals(Math.sqrt(2 * Math.log(1440)), perMinute, 1e-9);
        assertTrue(perMinute > perHour);
    }
}
