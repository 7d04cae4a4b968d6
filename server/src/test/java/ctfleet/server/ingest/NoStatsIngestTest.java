package ctfleet.server.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.HistoryPoint;
import ctfleet.proto.v1.HistoryRequest;
import ctfleet.proto.v1.QueryGrpc;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reviewer's wrapA / wrapB / wrapC through a real server (H2 file, gRPC on a loopback port):
 * the agent sends the middle sample without counter sums (a cut CPU row), and the raw history's
 * rates are what the first and last samples say, not a fall to zero read as a 32-bit wrap.
 */
class NoStatsIngestTest {
    @TempDir
    Path dir;

    static Sample sample(long seq, long ts, Map<String, Long> stats) {
        return Sample.newBuilder().setSeq(seq).setTsMillis(ts).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                .setCount(5).setMax(262_144).setBootId("0b9c1a3e-1111-2222-3333-444455556666").putAllStats(stats)
                .setStatParseErrors(stats.isEmpty() ? 1 : 0).build();
    }

    static Map<String, Long> sums(long drop, long insertFailed) {
        return Map.of("found", 0x200020L, "insert", 0x200020L, "drop", drop, "insert_failed", insertFailed,
                "early_drop", 0L, "invalid", 0L);
    }

    @Test
    void aSampleWithoutCounterSumsAddsNoDropsToTheHistory() throws Exception {
        CtfleetServer server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(dir.resolve("db")), Clock.systemUTC()).start();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        try {
            long now = System.currentTimeMillis();
            List<ServerMessage> acks = send(channel, sample(1, now - 30_000, sums(0x40, 0x20)),
                    sample(2, now - 20_000, Map.of()), sample(3, now - 10_000, sums(0x42, 0x22)));
            assertEquals(3, acks.size());
            assertTrue(acks.stream().noneMatch(m -> m.getAck().getRejected()), acks.toString());

            List<HistoryPoint> points = QueryGrpc.newBlockingStub(channel).history(HistoryRequest.newBuilder()
                    .setHost("gw-wrap").setSinceSeconds(3600).setStep("raw").build()).getPointsList();
            assertEquals(List.of(0.0, 0.0, 0.2), points.stream().map(HistoryPoint::getDropsPerSecond).toList(),
                    "0x40 to 0x42 drops over the last 10 s after the carried sample");
            assertEquals(List.of(0.0, 0.0, 0.2), points.stream().map(HistoryPoint::getInsertFailedPerSecond).toList());
        } finally {
            channel.shutdownNow();
            server.close();
        }
    }

    /** One agent stream: hello, the samples, and the server's answers once it ends the stream. */
    static List<ServerMessage> send(ManagedChannel channel, Sample... samples) throws Exception {
        List<ServerMessage> got = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<AgentMessage> in = CollectorGrpc.newStub(channel).stream(new StreamObserver<>() {
            @Override
            public void onNext(ServerMessage m) {
                got.add(m);
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
        in.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("gw-wrap")).build());
        for (Sample s : samples) {
            in.onNext(AgentMessage.newBuilder().setSample(s).build());
        }
        in.onCompleted();
        assertTrue(done.await(30, TimeUnit.SECONDS));
        return got;
    }
}
