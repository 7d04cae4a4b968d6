package ctfleet.server.query;

import ctfleet.server.fleet.BootChange;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.CounterIncrease;
import ctfleet.server.fleet.CounterPoint;
import ctfleet.server.fleet.HostFacts;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.Peaks;
import ctfleet.server.fleet.RefusalPoint;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryPoint;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.LatestState;
import ctfleet.server.store.SampledEntries;
import ctfleet.server.store.Step;
import ctfleet.server.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the capacity plan reads: each host's history over the window (as {@link FleetHistories}
 * makes it for the ranking) and the {@link HostFacts} beside it — MemTotal, entry size, the entry
 * breakdown, timeouts, and what the host refused stretch by stretch. One streamed query for the
 * series, one for the latest states, one for the breakdowns.
 */
final class CapacityInputs {
    private CapacityInputs() {}

    record Loaded(Instant now, Map<String, LatestState> latest, List<HostHistory> histories,
                  Map<String, HostFacts> facts) {}

    static Loaded load(FleetReader fleet, HistoryReader history, Clock clock, Duration window, Step step)
            throws StoreException {
        Instant now = clock.instant();
        Map<String, LatestState> latest = new HashMap<>();
        for (LatestState l : fleet.latest()) {
            latest.put(l.hostId(), l);
        }
        Map<String, SampledEntries> breakdowns = fleet.entryBreakdowns();
        Map<String, List<HistoryPoint>> series = new HashMap<>();
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
        List<HostHistory> histories = new ArrayList<>();
        Map<String, HostFacts> facts = new HashMap<>();
        for (LatestState l : latest.values()) {
            List<HistoryPoint> points = series.getOrDefault(l.hostId(), List.of());
            histories.add(FleetHistories.of(l, points, now));
            facts.put(l.hostId(), facts(l, EntryEstimates.of(Optional.ofNullable(breakdowns.get(l.hostId())), l.count()),
                    refusals(points)));
        }
        return new Loaded(now, latest, histories, facts);
    }

    static HostFacts facts(LatestState l, EntryEstimates entries, List<RefusalPoint> refusals) {
        return new HostFacts(l.memTotalBytes(), l.bytesPerEntry(), entries.stateSample(), entries.assured(),
                entries.destinationFacts(), l.timeouts(), refusals);
    }

    /**
     * One stretch per history point: the time its increases cover (not its step: see
     * {@link HistoryPoint#durationMillis}), its peak, its counter increases.
     */
    static List<RefusalPoint> refusals(List<HistoryPoint> points) {
        List<RefusalPoint> out = new ArrayList<>(points.size());
        for (HistoryPoint p : points) {
            out.add(new RefusalPoint(Instant.ofEpochMilli(p.ts()), Duration.ofMillis(p.durationMillis()),
                    p.samples() > 1 ? p.countMax() : Math.round(p.count()), p.increases().drop(),
                    p.increases().earlyDrop(), p.increases().insertFailed()));
        }
        return out;
    }

    /**
     * One stretch over the whole window, from the first cumulative counter point to the last, with
     * the highest count between them. The ranking may keep counter points where it wants its own
     * cuts, and with sparse samples an inner cut can hold a bucket's worth of increase over a
     * shorter span; the window's ends are exact.
     */
    static List<RefusalPoint> refusals(List<CounterPoint> counters, List<CountPoint> counts) {
        if (counters.size() < 2) {
            return List.of();
        }
        CounterPoint a = counters.get(0);
        CounterPoint b = counters.get(counters.size() - 1);
        BootChange rebooted = BootChange.between(a.bootId(), b.bootId());
        long peak = 0;
        for (CountPoint c : counts) {
            if (!c.ts().isBefore(a.ts()) && !c.ts().isAfter(b.ts())) {
                peak = Math.max(peak, Peaks.of(c));
            }
        }
        return List.of(new RefusalPoint(a.ts(), Duration.between(a.ts(), b.ts()), peak, increase(a, b, "drop", rebooted),
                increase(a, b, "early_drop", rebooted), increase(a, b, "insert_failed", rebooted)));
    }

    private static long increase(CounterPoint a, CounterPoint b, String column, BootChange rebooted) {
        Long before = a.stats().get(column);
        Long after = b.stats().get(column);
        return before == null || after == null ? 0 : CounterIncrease.between(before, after, rebooted);
    }
}
