package ctfleet.server.metrics;

import ctfleet.server.store.DatabaseHealth;
import ctfleet.server.store.StoreFault;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Whether the database takes writes, for alerting: {@code ctfleet_database_up} is 0 while a fault
 * lasts, and {@code ctfleet_database_fault{kind="disk-full"}} says which (the server log has the
 * cause). The gRPC health check turns NOT_SERVING at the same moments.
 */
public final class DatabaseMetrics {
    private DatabaseMetrics() {
    }

    public static void register(PrometheusRegistry registry, DatabaseHealth health) {
        GaugeWithCallback.builder().name("ctfleet_database_up")
                .help("1 while the database stores samples, 0 while it cannot (full disk, read-only, damaged)")
                .callback(cb -> cb.call(health.current().isEmpty() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder().name("ctfleet_database_fault")
                .help("1 for the kind of fault the database has now (absent when it works)")
                .labelNames("kind")
                .callback(cb -> health.current().map(StoreFault::kind)
                        .ifPresent(k -> cb.call(1, k.wireName())))
                .register(registry);
    }
}
