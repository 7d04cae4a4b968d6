package ctfleet.server.metrics;

import ctfleet.server.fleet.HostRank;
import ctfleet.server.query.FleetQueries;
import ctfleet.server.query.TopQuery;
import ctfleet.server.store.StoreUnavailable;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.logging.Logger;

/**
 * Per-host gauges computed at scrape time from the same ranking as {@code ctfleet top} (the same
 * {@link FleetQueries#top} question, answered in domain types), labelled
 * {@code host} plus the host's own labels. Label names differ between hosts, so each scrape uses
 * the union of names, with an empty value where a host lacks one (Prometheus treats empty as absent).
 */
public final class FleetMetrics implements MultiCollector {
    private static final Logger LOG = Logger.getLogger(FleetMetrics.class.getName());
    private final FleetQueries queries;

    public FleetMetrics(FleetQueries queries) {
        this.queries = queries;
    }

    @Override
    public MetricSnapshots collect() {
        List<HostRank> top;
        try {
            top = queries.top(TopQuery.defaults());
        } catch (StoreUnavailable e) {
            return MetricSnapshots.of(); // logged once where it happened; ctfleet_database_up says it
        } catch (Exception e) {
            LOG.warning("metrics: ranking unavailable: " + e.getMessage());
            return MetricSnapshots.of();
        }
        TreeSet<String> names = new TreeSet<>();
        for (HostRank h : top) {
            for (String k : h.labels().keySet()) {
                names.add(labelName(k));
            }
        }
        List<Labels> labels = new ArrayList<>();
        for (HostRank h : top) {
            labels.add(labelsOf(h, names));
        }
        return MetricSnapshots.of(
                gauge("ctfleet_host_entries", "Conntrack entries (nf_conntrack_count)", top, labels,
                        HostRank::count, false),
                gauge("ctfleet_host_entries_limit", "nf_conntrack_max (0: no limit)", top, labels,
                        HostRank::max, false),
                gauge("ctfleet_host_fill_ratio", "count / max; absent for hosts without a limit", top, labels,
                        h -> h.fill().orElse(Double.NaN), true),
                gauge("ctfleet_host_full_probability", "Probability that the table is full within 24 hours;"
                        + " absent for hosts without a limit", top, labels,
                        h -> h.fill().isPresent() ? h.pFull() : Double.NaN, true),
                gauge("ctfleet_host_eta_seconds", "Median seconds until the table is full;"
                        + " absent when more likely than not it does not fill within 7 days", top, labels,
                        h -> h.etaSeconds().orElse(Double.NaN), true),
                gauge("ctfleet_host_drops_per_second", "Packets dropped (drop counter) per second", top, labels,
                        HostRank::dropsPerSecond, false),
                gauge("ctfleet_host_early_drops_per_second", "Entries evicted early (early_drop) per second", top,
                        labels, HostRank::earlyDropsPerSecond, false),
                gauge("ctfleet_host_insert_failed_per_second", "Failed inserts (insert_failed) per second", top,
                        labels, HostRank::insertFailedPerSecond, false),
                gauge("ctfleet_host_rank", "Position in ctfleet top (1 = nearest to table-full)", top, labels,
                        HostRank::rank, false),
                status(top, labels));
    }

    private static GaugeSnapshot gauge(String name, String help, List<HostRank> top, List<Labels> labels,
                                       ToDoubleFunction<HostRank> value, boolean skipNaN) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (int i = 0; i < top.size(); i++) {
            double v = value.applyAsDouble(top.get(i));
            if (skipNaN && Double.isNaN(v)) {
                continue;
            }
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels.get(i)).value(v).build());
        }
        return b.build();
    }

    /** 1 per host, labelled with its status as {@code ctfleet top} shows it (e.g. clock-skew). */
    private static GaugeSnapshot status(List<HostRank> top, List<Labels> labels) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("ctfleet_host_status")
                .help("1, labelled with the host's status in ctfleet top (ok, warn, crit, dropping, stale, clock-skew, ...)");
        for (int i = 0; i < top.size(); i++) {
            b.dataPoint(GaugeDataPointSnapshot.builder()
                    .labels(labels.get(i).merge(Labels.of("status", top.get(i).status().wireName()))).value(1).build());
        }
        return b.build();
    }

    private static Labels labelsOf(HostRank h, TreeSet<String> names) {
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        n.add("host");
        v.add(h.host());
        Map<String, String> own = new java.util.HashMap<>();
        h.labels().forEach((k, val) -> own.put(labelName(k), val));
        for (String name : names) {
            n.add(name);
            v.add(own.getOrDefault(name, ""));
        }
        return Labels.of(n, v);
    }

    /** A host label called "host" would clash with ours; Prometheus reserves names starting with "__". */
    static String labelName(String k) {
        return k.equals("host") || k.equals("status") || k.startsWith("__") ? "label_" + k : k;
    }
}
