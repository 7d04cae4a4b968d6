package ctfleet.server;

import ctfleet.server.admin.AdminService;
import ctfleet.server.ingest.CollectorService;
import ctfleet.server.ingest.IngestBatcher;
import ctfleet.server.ingest.WireDecoder;
import ctfleet.server.query.QueryService;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RetentionJob;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.RollupJob;
import ctfleet.server.store.SampleStore;
import ctfleet.server.store.StoreMaintenance;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The server's lifecycle: start, stop, await. Takes its {@link ServerBuilder} so tests can pass an
 * in-process or loopback builder and real data instead of mocks (as grpc-java's RouteGuideServer).
 */
public final class CtfleetServer implements AutoCloseable {
    private final Server server;
    private final Database db;
    private final IngestBatcher batcher;
    private final StoreMaintenance maintenance;

    /** How often closed minutes are rolled up, expired rows deleted and the file compacted. */
    static final Duration MAINTENANCE_PERIOD = Duration.ofSeconds(30);

    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock) {
        this(builder, db, clock, Retention.DEFAULT);
    }

    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock, Retention retention) {
        this.db = db;
        RollupBacklog backlog = new RollupBacklog();
        this.batcher = new IngestBatcher(new SampleStore(db, backlog));
        this.maintenance = new StoreMaintenance(db, new RollupJob(db, backlog, retention),
                new RetentionJob(db, retention), clock);
        this.server = builder
                .addService(new CollectorService(new HostStore(db), batcher,
                        new WireDecoder(Duration.ofMinutes(5)), clock))
                .addService(new QueryService(new FleetReader(db)))
                .addService(new AdminService(db))
                .build();
    }

    public CtfleetServer start() throws IOException {
        server.start();
        maintenance.start(MAINTENANCE_PERIOD);
        return this;
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
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        batcher.close();
        maintenance.close();
        db.close();
    }
}
