package ctfleet.server.query;

import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import ctfleet.server.store.Retention;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A real server for the scenario tests (H2 file, gRPC on a loopback port) with clients to import
 * into it and query it, and the whole minute the imported histories end at.
 */
final class ScenarioServer implements AutoCloseable {
    final CtfleetServer server;
    final ManagedChannel channel;
    final QueryGrpc.QueryBlockingStub query;
    final ImportGrpc.ImportBlockingStub imports;
    /** Two whole minutes ago: the newest imported sample's time. */
    final long now;

    private ScenarioServer(CtfleetServer server) {
        this.server = server;
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .build();
        query = QueryGrpc.newBlockingStub(channel);
        imports = ImportGrpc.newBlockingStub(channel);
        now = System.currentTimeMillis() / ImportedHistory.MINUTE * ImportedHistory.MINUTE - 2 * ImportedHistory.MINUTE;
    }

    static ScenarioServer start(Path dir) throws Exception {
        // Raw samples kept 30 days: a window longer than two days (a weekly host's two weeks,
        // capacity's two days) is then read raw, as imported, instead of waiting for the
        // maintenance rounds to roll it up (which took minutes under a loaded CI run).
        return new ScenarioServer(new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(dir.resolve("db")), Clock.systemUTC(),
                new Retention(Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(730), Duration.ofDays(7)))
                .start());
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow();
        server.close();
    }
}
