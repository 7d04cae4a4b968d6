package ctfleet.server.query;

import ctfleet.server.fleet.ConntrackModule;
import ctfleet.server.fleet.CountBuckets;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.CounterPoint;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.store.Counters;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryPoint;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.LatestState;
import ctfleet.server.store.RecentBuckets;
import ctfleet.server.store.RecentRaw;
import ctfleet.server.store.Step;
import ctfleet.server.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns what the store holds (each host's latest state and its history) into the fleet logic's
 * {@link HostHistory} inputs: for the fleet, one query for the latest states and one streamed query
 * for the series; for one host, that host's state and history alone.
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

    /**
     * Every host with what the ranking reads for {@code window}: the forecast's context (at least
     * two days, {@link CountBuckets#context}) as 10-minute buckets from memory, raw samples for a
     * host with under an hour of data, and the counters' increases over the window and its last
     * {@link Ranker#RECENT}. Contexts longer than memory keeps read the database.
     */
    Loaded forRanking(Duration window) throws StoreException {
        Instant now = clock.instant();
        return forRanking(window, now, latestStates(), null);
    }

    /** One host's ranking inputs, as {@link #forRanking(Duration)} makes them, from its own history only. */
    HostHistory forRanking(Duration window, LatestState host) throws StoreException {
        return forRanking(window, clock.instant(), Map.of(host.hostId(), host), Set.of(host.hostId()))
                .histories().get(0);
    }

    /** @param only the hosts to read (null: every host) */
    private Loaded forRanking(Duration window, Instant now, Map<String, LatestState> latest, Set<String> only)
            throws StoreException {
        Duration context = CountBuckets.context(window);
        long from = now.minus(context).toEpochMilli();
        if (!history.servesBuckets(from)) {
            return load(context, Step.AUTO, window, now, latest, only);
        }
        long rateFrom = now.minus(window).toEpochMilli();
        Map<String, RecentBuckets.Window> windows = new HashMap<>();
        history.recentBuckets(from, rateFrom, Ranker.RECENT.toMillis(), now.toEpochMilli() + 1, only, windows::put);
        // The last hour raw as well: a host with less data than that is forecast from its samples,
        // and everyone's surge of the last minutes is seen at full resolution.
        Map<String, RecentRaw.Window> raw = new HashMap<>();
        history.recentWindows(now.minus(CountBuckets.RAW_BELOW).toEpochMilli(), now.toEpochMilli() + 1, only, raw::put);
        List<HostHistory> out = new ArrayList<>(latest.size());
        for (LatestState l : latest.values()) {
            RecentBuckets.Window w = windows.get(l.hostId());
            RecentRaw.Window r = raw.get(l.hostId());
            if (w != null && young(w.points()) && (r == null || r.counts().size() < samples(w.points()))) {
                // Under an hour of data, but not in the last hour (an import of old history): its few raw rows.
                r = rawWindow(l.hostId(), from, now);
            }
            out.add(of(l, w, r));
        }
        return new Loaded(now, latest, out);
    }

    private static boolean young(List<CountPoint> buckets) {
        return buckets.size() < 2
                || CountBuckets.readRaw(Duration.between(buckets.get(0).ts(), buckets.get(buckets.size() - 1).ts()));
    }

    private static int samples(List<CountPoint> buckets) {
        int n = 0;
        for (CountPoint p : buckets) {
            n += p.samples();
        }
        return n;
    }

    /** One host's raw samples over the context, read from the database. */
    private RecentRaw.Window rawWindow(String host, long from, Instant now) throws StoreException {
        List<CountPoint> counts = new ArrayList<>();
        for (HistoryPoint p : history.series(host, from, now.toEpochMilli() + 1, Step.RAW)) {
            counts.add(new CountPoint(Instant.ofEpochMilli(p.ts()), Math.round(p.count()), p.max(), p.countMax(), 1,
                    p.increases().boot()));
        }
        return new RecentRaw.Window(counts, Counters.ZERO, new long[0]);
    }

    private Map<String, LatestState> latestStates() throws StoreException {
        Map<String, LatestState> latest = new HashMap<>();
        for (LatestState l : fleet.latest()) {
            latest.put(l.hostId(), l);
        }
        return latest;
    }

    /** A host's ranking inputs from its buckets (and, for a host with under an hour of data, its raw samples). */
    static HostHistory of(LatestState l, RecentBuckets.Window w, RecentRaw.Window raw) {
        if (w == null) {
            return history(l, DEFAULT_INTERVAL, List.of(), List.of());
        }
        List<CountPoint> buckets = w.points();
        boolean young = young(buckets);
        List<CountPoint> recent = raw == null ? List.of() : raw.counts();
        List<CountPoint> points = young && !recent.isEmpty() ? recent : buckets;
        List<CounterPoint> counters = new ArrayList<>(3);
        if (!w.points().isEmpty()) {
            Instant last = Instant.ofEpochMilli(w.rateTo());
            Instant start = Instant.ofEpochMilli(Math.min(w.rateFrom(), last.toEpochMilli()));
            counters.add(new CounterPoint(start, "", counterMap(Counters.ZERO)));
            // The recent increases cover from recentFrom (at or before last less RECENT), where
            // Ranker's recent part then starts: placed at last less RECENT instead, a 10-minute
            // sampler's rate read twice its increase.
            Counters before = minus(w.increases(), w.recent());
            Instant cut = Instant.ofEpochMilli(w.recentFrom());
            if (cut.isAfter(start) && cut.isBefore(last)) {
                counters.add(new CounterPoint(cut, "", counterMap(before)));
            }
            if (last.isAfter(start)) {
                counters.add(new CounterPoint(last, "", counterMap(w.increases())));
            }
        }
        Duration interval = w.interval() > 0 ? Duration.ofMillis(w.interval()) : DEFAULT_INTERVAL;
        if (raw != null && raw.gaps().length > 0) {
            long[] gaps = raw.gaps().clone();
            interval = median(gaps, gaps.length);
        }
        return history(l, interval, points, counters, points == recent ? List.of() : recent);
    }

    private static Counters minus(Counters a, Counters b) {
        return new Counters(a.boot(), a.drop() - b.drop(), a.earlyDrop() - b.earlyDrop(),
                a.insertFailed() - b.insertFailed(), a.invalid() - b.invalid());
    }

    /** Every host with its series over {@code window} at {@code step} (AUTO: the finest kept). */
    Loaded load(Duration window, Step step) throws StoreException {
        Instant now = clock.instant();
        return load(window, step, window, now, latestStates(), null);
    }

    /**
     * The hosts with their series over {@code window} at {@code step}; the points of a window longer
     * than {@link CountBuckets#MIN_CONTEXT} are hourly buckets, the forecast's resolution there.
     *
     * @param only the hosts to read, each with its own query (null: the whole fleet in one stream)
     */
    private Loaded load(Duration window, Step step, Duration rateWindow, Instant now, Map<String, LatestState> latest,
            Set<String> only) throws StoreException {
        long from = now.minus(window).toEpochMilli();
        Map<String, List<HistoryPoint>> series = new HashMap<>();
        if (only != null) {
            for (String host : only) {
                series.put(host, history.series(host, from, now.toEpochMilli() + 1, step));
            }
        } else {
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
        }
        List<HostHistory> out = new ArrayList<>();
        long rateFrom = now.minus(rateWindow).toEpochMilli();
        Duration width = window.compareTo(CountBuckets.MIN_CONTEXT) > 0 ? CountBuckets.widthFor(window) : Duration.ZERO;
        for (LatestState l : latest.values()) {
            out.add(of(l, series.getOrDefault(l.hostId(), List.of()), now, rateFrom, width));
        }
        return new Loaded(now, latest, out);
    }

    private static Map<String, Long> counterMap(Counters c) {
        return Map.of("drop", c.drop(), "early_drop", c.earlyDrop(), "insert_failed", c.insertFailed(),
                "invalid", c.invalid());
    }

    private static HostHistory history(LatestState l, Duration interval, List<CountPoint> counts,
            List<CounterPoint> counters) {
        return history(l, interval, counts, counters, List.of());
    }

    private static HostHistory history(LatestState l, Duration interval, List<CountPoint> counts,
            List<CounterPoint> counters, List<CountPoint> recent) {
        // Last seen is the newest sample's own time: a host replaying an outage from its spool is
        // talking, but its news is old.
        return new HostHistory(l.hostId(), l.labels(), l.loaded() ? ConntrackModule.LOADED : ConntrackModule.NOT_LOADED,
                l.count(), l.max(), l.buckets(), Instant.ofEpochMilli(l.ts()), interval, counts, counters,
                l.imported(), recent, l.clockSkewed());
    }

    static HostHistory of(LatestState l, List<HistoryPoint> points, Instant now) {
        return of(l, points, now, Long.MIN_VALUE, Duration.ZERO);
    }

    /**
     * A host's history from its stored points: each as a {@link CountPoint} (a rollup's average,
     * peak and sample count), in buckets of {@code width} when not zero; the counters' increases
     * from {@code rateFrom} on and over the last {@link Ranker#RECENT}.
     */
    static HostHistory of(LatestState l, List<HistoryPoint> points, Instant now, long rateFrom, Duration width) {
        List<CountPoint> counts = new ArrayList<>(points.size());
        // The store gives increases per point (wrap- and reboot-aware already); running sums of them
        // under one boot are cumulative counters whose differences are exactly those increases. Only
        // the window's ends (and where its recent part begins) are kept: a point per sample cost a
        // map per sample (360,000 per Top call at 1,000 hosts). Each point's increases end at its
        // newest sample (lastTs), so that is where its cumulative value is placed: a rate is then
        // the increase over the time it covers, for raw points and rollups alike.
        long[] total = new long[4];
        long[] recent = new long[4];
        // Recent: the points whose increases end after the newest sample less RECENT (an imported
        // host's history ends when it ends); they cover from the last point that ends at or before it.
        long recentCut = points.isEmpty() ? Long.MAX_VALUE
                : points.get(points.size() - 1).lastTs() - Ranker.RECENT.toMillis();
        HistoryPoint first = null;
        long recentFrom = Long.MIN_VALUE;
        for (HistoryPoint p : points) {
            counts.add(new CountPoint(Instant.ofEpochMilli(p.ts()), Math.round(p.count()), p.max(), p.countMax(),
                    p.samples(), p.increases().boot()));
            if (p.ts() >= rateFrom) {
                first = first == null ? p : first;
                add(total, p.increases());
                if (p.lastTs() > recentCut) {
                    add(recent, p.increases());
                } else {
                    recentFrom = p.lastTs();
                }
            }
        }
        List<CounterPoint> counters = new ArrayList<>(3);
        if (first != null) {
            // The window's first point has no increase of its own (as from memory): its increases
            // end at its last sample, where the window's begin.
            Instant start = Instant.ofEpochMilli(first.lastTs());
            Instant last = Instant.ofEpochMilli(points.get(points.size() - 1).lastTs());
            long[] base = new long[4];
            add(base, first.increases());
            counters.add(new CounterPoint(start, "", counterMap(counters(base))));
            Instant cut = Instant.ofEpochMilli(recentFrom);
            if (cut.isAfter(start) && cut.isBefore(last)) {
                long[] before = new long[4];
                for (int k = 0; k < 4; k++) {
                    before[k] = total[k] - recent[k];
                }
                counters.add(new CounterPoint(cut, "", counterMap(counters(before))));
            }
            if (last.isAfter(start)) {
                counters.add(new CounterPoint(last, "", counterMap(counters(total))));
            }
        }
        if (!width.isZero()) {
            counts = CountBuckets.aggregate(counts, width);
        }
        return history(l, interval(points), counts, counters);
    }

    private static void add(long[] sums, Counters c) {
        sums[0] += c.drop();
        sums[1] += c.earlyDrop();
        sums[2] += c.insertFailed();
        sums[3] += c.invalid();
    }

    private static Counters counters(long[] v) {
        return new Counters(0, v[0], v[1], v[2], v[3]);
    }

    /**
     * The host's sampling interval: the median, over its points, of the time a point's increases
     * cover per sample in it. For raw points that is the spacing; for a rollup, the time since the
     * previous bucket's last sample over its samples, so a week's 1-minute rollups or a month's
     * hourly ones give the agent's real interval too. (Gaps between rollups with one sample each
     * were all it read before: an hourly bucket holds six samples of a 10-minute agent, and the
     * default 10 s made such a host stale half a minute after its newest sample in a long window.)
     */
    static Duration interval(List<HistoryPoint> points) {
        long[] gaps = new long[points.size()];
        int n = 0;
        for (HistoryPoint p : points) {
            if (p.durationMillis() > 0 && p.samples() > 0) {
                gaps[n++] = p.durationMillis() / p.samples();
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
