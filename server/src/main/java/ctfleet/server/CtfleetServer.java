package ctfleet.server;

import ctfleet.server.auth.Guard;
import ctfleet.server.admin.AdminService;
import ctfleet.server.ingest.CollectorService;
import ctfleet.server.ingest.EagerHeaders;
import ctfleet.server.ingest.ImportService;
import ctfleet.server.ingest.IngestBatcher;
import ctfleet.server.ingest.LenientParsing;
import ctfleet.server.ingest.WireDecoder;
import ctfleet.server.metrics.DatabaseMetrics;
import ctfleet.server.metrics.FleetMetrics;
import ctfleet.server.metrics.IngestMetrics;
import ctfleet.server.fleet.CountBuckets;
import ctfleet.server.query.FleetQueries;
import ctfleet.server.query.QueryService;
import ctfleet.server.query.TailReadAhead;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.ImportWriter;
import ctfleet.server.store.RecentBuckets;
import ctfleet.server.store.RecentRaw;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RetentionJob;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.RollupJob;
import ctfleet.server.store.SampleListener;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.StoreMaintenance;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.nio.file.Path;
import io.grpc.ServerInterceptor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's lifecycle: start, stop, await. Takes its {@link ServerBuilder} so tests can pass an
 * in-process or loopback builder and real data instead of mocks (as grpc-java's RouteGuideServer).
 */
public final class CtfleetServer implements AutoCloseable {
    private final Server server;
    private final Database db;
    private final IngestBatcher batcher;
    private final HealthStatusManager health = new HealthStatusManager();
    private final StoreMaintenance maintenance;
    private final ExecutorService callbacks = callbackExecutor();
    private final TailReadAhead readAhead;

    /** How often closed minutes are rolled up, expired rows deleted and the file compacted. */
    public static final Duration MAINTENANCE_PERIOD = Duration.ofSeconds(30);

    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock) {
        this(builder, db, clock, Guard.open(), new PrometheusRegistry(), Retention.DEFAULT);
    }

    /** @param registry where the server's own and the fleet's metrics are registered for /metrics */
    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock, PrometheusRegistry registry) {
        this(builder, db, clock, Guard.open(), registry, Retention.DEFAULT);
    }

    /** With the limits and interceptors (authentication, per-client limits) of {@code guard}. */
    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock, Guard guard) {
        this(builder, db, clock, guard, new PrometheusRegistry(), Retention.DEFAULT);
    }

    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock, Retention retention) {
        this(builder, db, clock, Guard.open(), new PrometheusRegistry(), retention);
    }

    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock, Guard guard,
                         PrometheusRegistry registry, Retention retention) {
        this(builder, db, clock, guard, registry, retention, defaultBackupDir(db));
    }

    /** @param backupDir where backups are made and server-side copies kept ({@code --backup-dir}) */
    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock, Guard guard,
                         PrometheusRegistry registry, Retention retention, Path backupDir) {
        this.db = db;
        RollupBacklog backlog = new RollupBacklog();
        RecentRaw recent = new RecentRaw(FleetQueries.DEFAULT_WINDOW);
        RecentBuckets buckets = new RecentBuckets(CountBuckets.MIN_CONTEXT);
        // What the writers commit, they tell: the rollup job its late minutes, the read caches their tails.
        SampleListener stored = SampleListener.all(backlog, recent, buckets);
        this.batcher = new IngestBatcher(new SampleWriter(db, stored));
        this.maintenance = new StoreMaintenance(db, new RollupJob(db, backlog, retention),
                new RetentionJob(db, retention, backlog), clock);
        // ServerBuilder runs interceptors in reverse order of adding; the guard lists them in run order.
        List<ServerInterceptor> chain = guard.interceptors();
        for (int i = chain.size() - 1; i >= 0; i--) {
            builder.intercept(chain.get(i));
        }
        FleetQueries queries = new FleetQueries(new FleetReader(db),
                new HistoryReader(db, retention, clock, recent, buckets), clock);
        this.readAhead = new TailReadAhead(queries, db.health());
        HostStore hosts = new HostStore(db);
        registry.register(new FleetMetrics(queries));
        DatabaseMetrics.register(registry, db.health());
        // A database that cannot store is visible to probes (grpc_health_probe, load balancers): the
        // calls themselves answer UNAVAILABLE with the reason, which the log has too.
        db.health().onChange(fault -> setServing(fault.isEmpty()));
        this.server = builder
                .executor(callbacks)
                .maxInboundMessageSize(guard.limits().maxMessageBytes())
                .addService(ServerInterceptors.intercept(LenientParsing.wrap(new CollectorService(hosts, batcher,
                        new WireDecoder(guard.limits().clockSkew()), clock, new IngestMetrics(registry, db.file()),
                        guard.limits().maxHosts()).bindService()), new EagerHeaders()))
                .addService(new QueryService(queries))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(new ImportService(hosts, new ImportWriter(db, stored), batcher,
                        new WireDecoder(guard.limits().clockSkew()), clock, maintenance::soon, retention.raw()))
                .addService(new AdminService(db, backupDir, clock))
                .build();
    }

    /** {@code --backup-dir}'s default: {@code backups} inside the database directory. */
    public static Path defaultBackupDir(Database db) {
        return db.file().getParent().resolve("backups");
    }

    /**
     * Where grpc-java runs the services' callbacks. Its default is an unbounded cached pool: with
     * 1000 agent streams it grew to hundreds of threads, and on a small server their switching cost
     * more than the work. Ingest callbacks never block (the writer thread commits), so a fixed pool
     * does; it has more threads than cores so that slow calls (a backup, an import chunk, capacity
     * over months) cannot hold every thread while samples wait.
     */
    private static ExecutorService callbackExecutor() {
        int threads = Math.max(8, Runtime.getRuntime().availableProcessors() * 2);
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ctfleet-grpc-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public CtfleetServer start() throws IOException {
        server.start();
        setServing(db.health().current().isEmpty());
        maintenance.start(MAINTENANCE_PERIOD);
        readAhead.start(MAINTENANCE_PERIOD);
        return this;
    }

    /** Completes with the number of tails read once the start's read-ahead round is done. */
    public java.util.concurrent.CompletableFuture<Long> warmedUp() {
        return readAhead.first();
    }

    private void setServing(boolean serving) {
        if (server == null) {
            return; // still being built: start() sets the state
        }
        var status = serving ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING;
        health.setStatus("", status);
        for (var service : server.getServices()) {
            health.setStatus(service.getServiceDescriptor().getName(), status);
        }
    }

    /** The bound port (useful when asked for port 0). */
    public int port() {
        return server.getPort();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops taking calls, lets in-flight ones finish, commits what is queued, closes the database. */
    @Override
    public void close() throws InterruptedException {
        health.enterTerminalState();
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        callbacks.shutdown();
        readAhead.close();
        batcher.close();
        maintenance.close();
        db.close();
    }
}
