package ctfleet.server.fleet;

import java.util.OptionalDouble;

/**
 * A trend estimate at the query time.
 *
 * @param slopePerSecond entries per second the estimate grows by
 * @param fittedNow      the estimator's level at the query time (not the raw newest count)
 * @param etaSeconds     seconds from the query time until the table is predicted full; 0 when it
 *                       already is; absent when the estimate never reaches max (or max is 0)
 */
public record Forecast(double slopePerSecond, double fittedNow, OptionalDouble etaSeconds) {
    static final Forecast NONE = new Forecast(0, 0, OptionalDouble.empty());
}
