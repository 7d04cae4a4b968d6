package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ctfleet check} against a real server on loopback whose agents fell silent: a stale host is
 * never OK, a stale host whose last numbers were critical is critical, and a fleet with no agent
 * reporting at all is UNKNOWN unless one of them is critical.
 */
class CheckStaleTest {
    static final long MAX = 65_536;
    static final long STEP = 10_000;
    static final int N = 120; // 20 minutes at 10 s

    @TempDir
    Path tmp;

    @Test
    void everyAgentSilentWithOneTableFullIsCritical() throws Exception {
        try (CtfleetServer server = server("full")) {
            long silentSince = System.currentTimeMillis() - 10 * 60_000;
            send(server, "gw-full", silentSince, i -> sample(MAX, 5L * i)); // at max, evicting
            send(server, "gw-low", silentSince, i -> sample(MAX / 10, 0));
            EndToEndTest.Result r = check(server);
            assertEquals(2, r.code(), r.out() + r.err());
            assertTrue(r.out().startsWith("CTFLEET CRITICAL - 2 hosts, 1 critical, 1 warning, 2 stale (no agent is"
                    + " reporting); nearest gw-full stale at 100.0%"), r.out());
        }
    }

    @Test
    void everyAgentSilentAndNothingCriticalIsUnknown() throws Exception {
        try (CtfleetServer server = server("silent")) {
            long silentSince = System.currentTimeMillis() - 10 * 60_000;
            send(server, "gw-a", silentSince, i -> sample(MAX / 10, 0));
            send(server, "gw-b", silentSince, i -> sample(MAX / 5, 0));
            EndToEndTest.Result r = check(server);
            assertEquals(3, r.code(), r.out() + r.err());
            assertTrue(r.out().startsWith("CTFLEET UNKNOWN - 2 hosts, 0 critical, 2 warning, 2 stale (no agent is"
                    + " reporting); "), r.out());
        }
    }

    @Test
    void oneAgentSilentAmongHealthyOnesIsAWarning() throws Exception {
        try (CtfleetServer server = server("one")) {
            long now = System.currentTimeMillis();
            send(server, "gw-live", now, i -> sample(MAX / 10, 0));
            send(server, "gw-dead", now - 10 * 60_000, i -> sample(MAX / 10, 0));
            EndToEndTest.Result r = check(server);
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.out().startsWith("CTFLEET WARNING - 2 hosts, 0 critical, 1 warning, 1 stale; "), r.out());
        }
    }

    private CtfleetServer server(String name) throws Exception {
        return new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(tmp.resolve(name)), Clock.systemUTC()).start();
    }

    private static EndToEndTest.Result check(CtfleetServer server) {
        EndToEndTest.Result r = EndToEndTest.cli("check", "--server", "127.0.0.1:" + server.port());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        return r;
    }

    static Sample sample(long count, long earlyDrop) {
        return Sample.newBuilder().setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(count).setMax(MAX)
                .setBuckets(MAX).setBootId("boot-1").setBytesPerEntry(256).putStats("early_drop", earlyDrop)
                .putStats("drop", 0).putStats("insert_failed", 0).build();
    }

    /** N samples 10 s apart, the newest at {@code newest}, through the real collector stream. */
    static void send(CtfleetServer server, String host, long newest, java.util.function.LongFunction<Sample> at)
            throws Exception {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        CountDownLatch done = new CountDownLatch(1);
        int[] acks = {0};
        StreamObserver<AgentMessage> out = CollectorGrpc.newStub(ch).stream(new StreamObserver<ServerMessage>() {
            @Override
            public void onNext(ServerMessage m) {
                acks[0]++;
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(host)).build());
        long t0 = newest - (N - 1) * STEP;
        for (int i = 0; i < N; i++) {
            out.onNext(AgentMessage.newBuilder().setSample(at.apply(i).toBuilder().setSeq(i + 1).setTsMillis(t0 + i * STEP))
                    .build());
        }
        out.onCompleted();
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(N, acks[0], host);
        ch.shutdownNow();
    }
}
