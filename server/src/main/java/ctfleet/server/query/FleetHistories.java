package ctfleet.server.query;

import ctfleet.server.fleet.ConntrackModule;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.CounterPoint;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.store.Counters;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryPoint;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.LatestState;
import ctfleet.server.store.RecentRaw;
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
        long from = now.minus(window).toEpochMilli();
        if (history.servesRecent(from, step)) {
            // The ranking's usual hour: each host's window as RecentRaw keeps it, no point by point work.
            Map<String, RecentRaw.Window> windows = new HashMap<>();
            history.recentWindows(from, now.toEpochMilli() + 1, windows::put);
            List<HostHistory> out = new ArrayList<>();
            for (LatestState l : latest.values()) {
                RecentRaw.Window w = windows.get(l.hostId());
                out.add(of(l, w != null ? w : EMPTY, now));
            }
            return new Loaded(now, latest, out);
        }
        Map<String, List<HistoryPoint>> series = new HashMap<>();
        // Points come host by host: one map lookup per host, not per point (360,000 per Top call).
        var current = new Object() {
            String host;
            List<HistoryPoint> points;
        };
        history.fleetSeries(from, now.toEpochMilli() + 1, step, (host, p) -> {
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

    private static final RecentRaw.Window EMPTY = new RecentRaw.Window(List.of(), Counters.ZERO, new long[0]);

    /** The same host history as {@link #of(LatestState, List, Instant)} makes from the window's raw points. */
    static HostHistory of(LatestState l, RecentRaw.Window w, Instant now) {
        List<CountPoint> counts = w.counts();
        List<CounterPoint> counters = new ArrayList<>(2);
        if (!counts.isEmpty()) {
            // A window's first point has no increase of its own.
            counters.add(new CounterPoint(counts.get(0).ts(), "", counterMap(Counters.ZERO)));
        }
        if (counts.size() > 1) {
            counters.add(new CounterPoint(counts.get(counts.size() - 1).ts(), "", counterMap(w.increases())));
        }
        long[] gaps = w.gaps().clone();
        return history(l, median(gaps, gaps.length), counts, counters);
    }

    private static Map<String, Long> counterMap(Counters c) {
        return Map.of("drop", c.drop(), "early_drop", c.earlyDrop(), "insert_failed", c.insertFailed(),
                "invalid", c.invalid());
    }

    private static HostHistory history(LatestState l, Duration interval, List<CountPoint> counts,
            List<CounterPoint> counters) {
        // Last seen is the newest sample's own time: a host replaying an outage from its spool is
        // talking, but its news is old.
        return new HostHistory(l.hostId(), l.labels(), l.loaded() ? ConntrackModule.LOADED : ConntrackModule.NOT_LOADED,
                l.count(), l.max(), l.buckets(), Instant.ofEpochMilli(l.ts()), interval, counts, counters,
                l.imported(), l.clockSkewed());
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
            counters.add(new CounterPoint(Instant.ofEpochMilli(first.ts()), "", counterMap(first.increases())));
        }
        if (points.size() > 1) {
            counters.add(new CounterPoint(Instant.ofEpochMilli(points.get(points.size() - 1).ts()), "",
                    counterMap(new Counters(0, drop, early, failed, invalid))));
        }
        return history(l, interval(points), counts, counters);
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
        return median(gaps, n);
    }

    /** The median of the first n gaps (sorted in place), or the default interval without a positive one. */
    private static Duration median(long[] gaps, int n) {
        if (n == 0) {
            return DEFAULT_INTERVAL;
        }
        java.util.Arrays.sort(gaps, 0, n);
        long median = gaps[n / 2];
        return median > 0 ? Duration.ofMillis(median) : DEFAULT_INTERVAL;
    }
}
