package ctfleet.server.fleet;

import java.time.Instant;

/**
 * What the table held over one stretch of time: a raw sample ({@code samples} 1, {@code peak} =
 * {@code count}) or a rollup bucket ({@code count} its average, {@code peak} its highest sample).
 * Everything the forecaster reads is here and a rollup row carries all of it, so a trend is fitted
 * from rollups as well as from raw samples, for live and imported hosts alike.
 *
 * @param max  {@code nf_conntrack_max} (the largest in a bucket); 0 means no limit
 * @param boot {@link BootChange#code} of the newest sample's boot id (0: unknown); a different boot on the
 *             next point means the host rebooted and its table started empty
 */
public record CountPoint(Instant ts, long count, long max, long peak, int samples, int boot) {
    /** One raw sample under an unknown boot. */
    public CountPoint(Instant ts, long count, long max) {
        this(ts, count, max, count, 1, 0);
    }
}
