package ctfleet.server.metrics;

import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import ctfleet.server.query.QueryService;
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
 * Per-host gauges computed at scrape time from the same ranking as {@code ctfleet top}, labelled
 * {@code host} plus the host's own labels. Label names differ between hosts, so each scrape uses
 * the union of names, with an empty value where a host lacks one (Prometheus treats empty as absent).
 */
public final class FleetMetrics implements MultiCollector {
    private static final Logger LOG = Logger.getLogger(FleetMetrics.class.getName());
    private final QueryService query;

    public FleetMetrics(QueryService query) {
        this.query = query;
    }

    @Override
    public MetricSnapshots collect() {
        TopResponse top;
        try {
            top = query.top(TopRequest.getDefaultInstance());
        } catch (Exception e) {
            if (ctfleet.server.store.StoreFault.classify(e, java.nio.file.Path.of(".")).isEmpty()) {
                LOG.warning("metrics: ranking unavailable: " + e.getMessage()); // a store fault is logged once, elsewhere
            }
            return MetricSnapshots.of();
        }
        TreeSet<String> names = new TreeSet<>();
        for (HostRank h : top.getHostsList()) {
            for (String k : h.getLabelsMap().keySet()) {
                names.add(labelName(k));
            }
        }
        List<Labels> labels = new ArrayList<>();
        for (HostRank h : top.getHostsList()) {
            labels.add(labelsOf(h, names));
        }
        return MetricSnapshots.of(
                gauge("ctfleet_host_entries", "Conntrack entries (nf_conntrack_count)", top, labels,
                        HostRank::getCount, false),
                gauge("ctfleet_host_entries_limit", "nf_conntrack_max (0: no limit)", top, labels,
                        HostRank::getMax, false),
                gauge("ctfleet_host_fill_ratio", "count / max; absent for hosts without a limit", top, labels,
                        h -> h.hasFill() ? h.getFill() : Double.NaN, true),
                gauge("ctfleet_host_full_probability", "Probability that the table is full within 24 hours;"
                        + " absent for hosts without a limit", top, labels,
                        h -> h.hasFill() ? h.getPFull() : Double.NaN, true),
                gauge("ctfleet_host_eta_seconds", "Median seconds until the table is full;"
                        + " absent when more likely than not it does not fill within 7 days", top, labels,
                        h -> h.hasEtaSeconds() ? h.getEtaSeconds() : Double.NaN, true),
                gauge("ctfleet_host_drops_per_second", "Packets dropped (drop counter) per second", top, labels,
                        HostRank::getDropsPerSecond, false),
                gauge("ctfleet_host_early_drops_per_second", "Entries evicted early (early_drop) per second", top,
                        labels, HostRank::getEarlyDropsPerSecond, false),
                gauge("ctfleet_host_insert_failed_per_second", "Failed inserts (insert_failed) per second", top,
                        labels, HostRank::getInsertFailedPerSecond, false),
                gauge("ctfleet_host_rank", "Position in ctfleet top (1 = nearest to table-full)", top, labels,
                        HostRank::getRank, false),
                status(top, labels));
    }

    private static GaugeSnapshot gauge(String name, String help, TopResponse top, List<Labels> labels,
                                       ToDoubleFunction<HostRank> value, boolean skipNaN) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (int i = 0; i < top.getHostsCount(); i++) {
            double v = value.applyAsDouble(top.getHosts(i));
            if (skipNaN && Double.isNaN(v)) {
                continue;
            }
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels.get(i)).value(v).build());
        }
        return b.build();
    }

    /** 1 per host, labelled with its status as {@code ctfleet top} shows it (e.g. clock-skew). */
    private static GaugeSnapshot status(TopResponse top, List<Labels> labels) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("ctfleet_host_status")
                .help("1, labelled with the host's status in ctfleet top (ok, warn, crit, dropping, stale, clock-skew, ...)");
        for (int i = 0; i < top.getHostsCount(); i++) {
            b.dataPoint(GaugeDataPointSnapshot.builder()
                    .labels(labels.get(i).merge(Labels.of("status", top.getHosts(i).getStatus()))).value(1).build());
        }
        return b.build();
    }

    private static Labels labelsOf(HostRank h, TreeSet<String> names) {
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        n.add("host");
        v.add(h.getHost());
        Map<String, String> own = new java.util.HashMap<>();
        h.getLabelsMap().forEach((k, val) -> own.put(labelName(k), val));
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
