package ctfleet.server.store;

import java.util.OptionalDouble;

/**
 * One rollup row: a host's raw samples of one minute or one hour, aggregated.
 *
 * @param ts        the bucket's start, epoch milliseconds
 * @param n         raw samples in the bucket
 * @param fillMax   the largest count / max among samples that had a limit
 * @param increases counter increases during the bucket (boot = the last sample's)
 * @param last      the raw counters of the bucket's newest sample
 */
public record Bucket(long ts, int n, long countMin, long countMax, long countSum, long maxMax,
                     OptionalDouble fillMax, Counters increases, long lastTs, Counters last) {

    public double countAvg() {
        return (double) countSum / n;
    }
}
