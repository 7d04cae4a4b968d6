package ctfleet.server.query;

import ctfleet.server.fleet.ConntrackModule;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.CounterPoint;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryPoint;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.LatestState;
import ctfleet.server.store.Step;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what the store holds (each host's latest state and its history) into the fleet logic's
 * {@link HostHistory} inputs: one query for the latest states, one streamed query for the series.
 */
final class FleetHistories {
    /** What an agent samples at when nothing says otherwise (the agent's default --interval). */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final FleetReader fleet;
    private final HistoryReader history;
    private final Clock clock;

    FleetHistories(FleetReader fleet, HistoryReader history, Clock clock) {
        this.fleet = fleet;
        this.history = history;
        this.clock = clock;
    }

    record Loaded(Instant now, Map<String, LatestState> latest, List<HostHistory> histories) {}

    /** Every host with its series over {@code window} at {@code step} (AUTO: the finest kept). */
    Loaded load(Duration window, Step step) throws SQLException {
        Instant now = clock.instant();
        Map<String, LatestState> latest = new HashMap<>();
        for (LatestState l : fleet.latest()) {
            latest.put(l.hostId(), l);
        }
        Map<String, List<HistoryPoint>> series = new HashMap<>();
        // Points come host by host: one map lookup per host, not per point (360,000 per Top call).
        var current = new Object() {
            String host;
            List<HistoryPoint> points;
        };
        history.fleetSeries(now.minus(window).toEpochMilli(), now.toEpochMilli() + 1, step, (host, p) -> {
            if (!host.equals(current.host)) {
                current.host = host;
                current.points = series.computeIfAbsent(host, h -> new ArrayList<>());
            }
            current.points.add(p);
        });
        List<HostHistory> out = new ArrayList<>();
        for (LatestState l : latest.values()) {
            out.add(of(l, series.getOrDefault(l.hostId(), List.of()), now));
        }
        return new Loaded(now, latest, out);
    }

    static HostHistory of(LatestState l, List<HistoryPoint> points, Instant now) {
        List<CountPoint> counts = new ArrayList<>(points.size());
        // The store gives increases per point (wrap- and reboot-aware already); running sums of them
        // under one boot are cumulative counters whose differences are exactly those increases. Only
        // the window's two ends are kept: the totals between them are the whole window's, and a
        // point per sample cost a map per sample (360,000 per Top call at 1,000 hosts).
        long drop = 0;
        long early = 0;
        long failed = 0;
        long invalid = 0;
        for (HistoryPoint p : points) {
            // A rollup's peak, not its average: time to full is about the peaks.
            counts.add(new CountPoint(Instant.ofEpochMilli(p.ts()), p.samples() > 1 ? p.countMax() : Math.round(p.count()),
                    p.max()));
            drop += p.increases().drop();
            early += p.increases().earlyDrop();
            failed += p.increases().insertFailed();
            invalid += p.increases().invalid();
        }
        List<CounterPoint> counters = new ArrayList<>(2);
        if (!points.isEmpty()) {
            HistoryPoint first = points.get(0);
            counters.add(new CounterPoint(Instant.ofEpochMilli(first.ts()), "", Map.of("drop", first.increases().drop(),
                    "early_drop", first.increases().earlyDrop(), "insert_failed", first.increases().insertFailed(),
                    "invalid", first.increases().invalid())));
        }
        if (points.size() > 1) {
            counters.add(new CounterPoint(Instant.ofEpochMilli(points.get(points.size() - 1).ts()), "",
                    Map.of("drop", drop, "early_drop", early, "insert_failed", failed, "invalid", invalid)));
        }
        // Last seen is the newest sample's own time: a host replaying an outage from its spool is
        // talking, but its news is old.
        return new HostHistory(l.hostId(), l.labels(), l.loaded() ? ConntrackModule.LOADED : ConntrackModule.NOT_LOADED,
                l.count(), l.max(), l.buckets(), Instant.ofEpochMilli(l.ts()), interval(points), counts, counters,
                l.imported());
    }

    /** The host's sampling interval: the median spacing of its raw points. */
    static Duration interval(List<HistoryPoint> points) {
        long[] gaps = new long[points.size()];
        int n = 0;
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).samples() == 1) {
                gaps[n++] = points.get(i).ts() - points.get(i - 1).ts();
            }
        }
        if (n == 0) {
            return DEFAULT_INTERVAL;
        }
        java.util.Arrays.sort(gaps, 0, n);
        long median = gaps[n / 2];
        return median > 0 ? Duration.ofMillis(median) : DEFAULT_INTERVAL;
    }
}
