package ctfleet.server;

import ctfleet.server.auth.Guard;
import ctfleet.server.ingest.CollectorService;
import ctfleet.server.ingest.IngestBatcher;
import ctfleet.server.ingest.LenientParsing;
import ctfleet.server.ingest.WireDecoder;
import ctfleet.server.query.QueryService;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.SampleStore;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import io.grpc.ServerInterceptor;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server's lifecycle: start, stop, await. Takes its {@link ServerBuilder} so tests can pass an
 * in-process or loopback builder and real data instead of mocks (as grpc-java's RouteGuideServer).
 */
public final class CtfleetServer implements AutoCloseable {
    private final Server server;
    private final Database db;
    private final IngestBatcher batcher;

    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock) {
        this(builder, db, clock, Guard.open());
    }

    /** With the limits and interceptors (authentication, per-client limits) of {@code guard}. */
    public CtfleetServer(ServerBuilder<?> builder, Database db, Clock clock, Guard guard) {
        this.db = db;
        this.batcher = new IngestBatcher(new SampleStore(db));
        // ServerBuilder runs interceptors in reverse order of adding; the guard lists them in run order.
        List<ServerInterceptor> chain = guard.interceptors();
        for (int i = chain.size() - 1; i >= 0; i--) {
            builder.intercept(chain.get(i));
        }
        this.server = builder
                .maxInboundMessageSize(guard.limits().maxMessageBytes())
                .addService(LenientParsing.wrap(new CollectorService(new HostStore(db), batcher,
                        new WireDecoder(guard.limits().clockSkew()), clock, guard.limits().maxHosts()).bindService()))
                .addService(new QueryService(new FleetReader(db)))
                .build();
    }

    public CtfleetServer start() throws IOException {
        server.start();
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
        db.close();
    }
}
