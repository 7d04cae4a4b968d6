package ctfleet.server.fleet;

import java.util.OptionalDouble;

/**
 * Will the table fill, and when: {@link FillForecaster}'s answer for one host.
 *
 * @param pFull          probability that the count reaches max within the horizon asked for
 * @param etaSeconds     the median time to full (0: full now); absent when more likely than not
 *                       it does not fill within {@link Outlook#REACH}
 * @param etaLowSeconds  the 10th percentile: "could be full as soon as"; absent when under 10 %
 * @param etaHighSeconds the 90th percentile; absent when it lies beyond the reach
 * @param reason         one short phrase a person can check against the history
 * @param slopePerSecond the trend, entries per second (the posterior mean)
 * @param levelNow       the trend's level now, entries (without the daily cycle)
 */
public record FillForecast(double pFull, OptionalDouble etaSeconds, OptionalDouble etaLowSeconds,
        OptionalDouble etaHighSeconds, String reason, double slopePerSecond, double levelNow) {

    static final FillForecast NONE = new FillForecast(0, OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty(), "", 0, 0);
}
