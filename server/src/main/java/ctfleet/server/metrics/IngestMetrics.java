package ctfleet.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.nio.file.Files;
import java.nio.file.Path;

/** The server's own health: what ingest accepted, refused and deduplicated, and how fast it acknowledged. */
public final class IngestMetrics {
    private final Counter ingested;
    private final Counter duplicates;
    private final Counter conflicts;
    private final Counter rejected;
    private final Histogram ackLatency;
    private final Gauge connected;

    public IngestMetrics(PrometheusRegistry registry, Path databaseFile) {
        ingested = Counter.builder().name("ctfleet_samples_ingested_total")
                .help("Samples committed to the database").register(registry);
        duplicates = Counter.builder().name("ctfleet_samples_deduplicated_total")
                .help("Exact re-sends of samples already stored (no-ops)").register(registry);
        conflicts = Counter.builder().name("ctfleet_samples_conflicting_total")
                .help("Samples refused because a different value was stored for the same host and timestamp")
                .register(registry);
        rejected = Counter.builder().name("ctfleet_messages_rejected_total")
                .help("Agent messages refused as invalid (INVALID_ARGUMENT)").register(registry);
        ackLatency = Histogram.builder().name("ctfleet_ack_latency_seconds")
                .help("Time from receiving a sample to acknowledging it (after commit)").unit(Unit.SECONDS)
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .register(registry);
        connected = Gauge.builder().name("ctfleet_connected_agents")
                .help("Agent streams open now").register(registry);
        GaugeWithCallback.builder().name("ctfleet_database_size_bytes")
                .help("Size of the H2 database file").unit(Unit.BYTES)
                .callback(cb -> cb.call(sizeOf(databaseFile)))
                .register(registry);
    }

    /** For tests and tools that do not export metrics. */
    public static IngestMetrics unregistered() {
        return new IngestMetrics(new PrometheusRegistry(), Path.of("/nonexistent"));
    }

    public void ingested() {
        ingested.inc();
    }

    public void duplicate() {
        duplicates.inc();
    }

    public void conflict() {
        conflicts.inc();
    }

    public void rejected() {
        rejected.inc();
    }

    public void acknowledged(long nanos) {
        ackLatency.observe(nanos / 1e9);
    }

    public void streamOpened() {
        connected.inc();
    }

    public void streamClosed() {
        connected.dec();
    }

    private static double sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
