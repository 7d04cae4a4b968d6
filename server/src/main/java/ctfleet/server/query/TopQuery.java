package ctfleet.server.query;

import ctfleet.server.fleet.LabelFilter;
import ctfleet.server.fleet.RankerConfig;
import java.time.Duration;

/**
 * Which hosts to rank and how: the window the trend and rates read, the ranking's horizon and fill
 * rules, the hosts' labels, and how many to return.
 *
 * @param limit 0 for every host
 */
public record TopQuery(Duration window, RankerConfig config, LabelFilter labels, int limit) {
    /** The whole fleet, with the default window and ranking: what /metrics shows. */
    public static TopQuery defaults() {
        return new TopQuery(FleetQueries.DEFAULT_WINDOW, RankerConfig.defaults(), LabelFilter.ALL, 0);
    }
}
