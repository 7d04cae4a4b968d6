package ctfleet.server.query;

import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.RankerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The newest ranking of the whole fleet for each window and ranking settings: where a host stands in
 * the fleet, for the host view, without ranking every host again to show one. Top, Summary and
 * every /metrics scrape leave theirs here.
 */
final class RankingMemo {
    /** A place older than this is not shown: the fleet moves on. */
    static final Duration FRESH = Duration.ofMinutes(1);
    private static final int KEPT = 8;

    private record Key(Duration window, RankerConfig config) {}

    private record Ranking(Instant at, Map<String, Integer> positions) {}

    private final Map<Key, Ranking> rankings = new LinkedHashMap<>();

    synchronized void remember(Duration window, RankerConfig config, Instant at, List<HostRank> ranked) {
        Map<String, Integer> positions = new HashMap<>(ranked.size() * 2);
        for (HostRank r : ranked) {
            positions.put(r.host(), r.rank());
        }
        Key key = new Key(window, config);
        rankings.remove(key);
        rankings.put(key, new Ranking(at, positions));
        if (rankings.size() > KEPT) {
            rankings.remove(rankings.keySet().iterator().next()); // the one remembered longest ago
        }
    }

    /** The host's place in a ranking of the fleet with these settings made since {@code now - FRESH}. */
    synchronized OptionalInt position(String host, Duration window, RankerConfig config, Instant now) {
        Ranking r = rankings.get(new Key(window, config));
        if (r == null || r.at().isBefore(now.minus(FRESH))) {
            return OptionalInt.empty();
        }
        Integer p = r.positions().get(host);
        return p == null ? OptionalInt.empty() : OptionalInt.of(p);
    }
}
