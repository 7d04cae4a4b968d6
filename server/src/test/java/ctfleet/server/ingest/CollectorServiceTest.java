package ctfleet.server.ingest;

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
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real service and store, in-process transport: what the stream answers to good and bad input. */
class CollectorServiceTest {
    @TempDir
    Path dir;

    CtfleetServer server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = new CtfleetServer(InProcessServerBuilder.forName(name).directExecutor(), Database.open(dir),
                Clock.systemUTC()).start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.close();
    }

    static Sample sample(long seq, long ts) {
        return Sample.newBuilder().setSeq(seq).setTsMillis(ts).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                .setCount(10).setMax(100).build();
    }

    static AgentMessage hello(String id) {
        return AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(id)).build();
    }

    static AgentMessage msg(Sample s) {
        return AgentMessage.newBuilder().setSample(s).build();
    }

    record Outcome(List<ServerMessage> messages, Status status) {}

    Outcome exchange(AgentMessage... messages) throws Exception {
        List<ServerMessage> got = new CopyOnWriteArrayList<>();
        Status[] status = {null};
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<AgentMessage> in = CollectorGrpc.newStub(channel).stream(new StreamObserver<>() {
            @Override
            public void onNext(ServerMessage m) {
                got.add(m);
            }

            @Override
            public void onError(Throwable t) {
                status[0] = Status.fromThrowable(t);
                done.countDown();
            }

            @Override
            public void onCompleted() {
                status[0] = Status.OK;
                done.countDown();
            }
        });
        for (AgentMessage m : messages) {
            in.onNext(m);
        }
        in.onCompleted();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        return new Outcome(got, status[0]);
    }

    @Test
    void acknowledgesEverySampleInOrderAndMarksReplays() throws Exception {
        long now = System.currentTimeMillis();
        Outcome o = exchange(hello("gw-1"), msg(sample(1, now - 2000)), msg(sample(2, now - 1000)),
                msg(sample(1, now - 2000)));
        assertEquals(Status.Code.OK, o.status().getCode());
        assertEquals(3, o.messages().size());
        assertEquals(1, o.messages().get(0).getAck().getSeq());
        assertEquals(2, o.messages().get(1).getAck().getSeq());
        assertTrue(o.messages().get(2).getAck().getDuplicate());
    }

    @Test
    void sampleBeforeHelloIsInvalidArgument() throws Exception {
        Outcome o = exchange(msg(sample(1, System.currentTimeMillis())));
        assertEquals(Status.Code.INVALID_ARGUMENT, o.status().getCode());
        assertTrue(o.status().getDescription().contains("hello"), o.status().getDescription());
    }

    @Test
    void badHostIdNamesTheField() throws Exception {
        Outcome o = exchange(hello("no spaces allowed"));
        assertEquals(Status.Code.INVALID_ARGUMENT, o.status().getCode());
        assertTrue(o.status().getDescription().startsWith("hello.host_id"), o.status().getDescription());
    }

    @Test
    void negativeCountAndFutureTimestampAreRefusedWithTheFieldAndSeq() throws Exception {
        Outcome neg = exchange(hello("gw-1"), msg(sample(7, System.currentTimeMillis()).toBuilder().setCount(-1).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, neg.status().getCode());
        assertTrue(neg.status().getDescription().contains("seq 7") && neg.status().getDescription().contains("count"),
                neg.status().getDescription());
        Outcome future = exchange(hello("gw-1"), msg(sample(8, System.currentTimeMillis() + 3_600_000)));
        assertEquals(Status.Code.INVALID_ARGUMENT, future.status().getCode());
        assertTrue(future.status().getDescription().contains("ahead"), future.status().getDescription());
    }

    @Test
    void aNonPositiveMemTotalIsRefusedAndNamed() throws Exception {
        Outcome zero = exchange(hello("gw-1"), msg(sample(9, System.currentTimeMillis()).toBuilder()
                .setMemTotalBytes(0).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, zero.status().getCode());
        assertTrue(zero.status().getDescription().contains("seq 9")
                && zero.status().getDescription().contains("mem_total_bytes"), zero.status().getDescription());
        Outcome fine = exchange(hello("gw-1"), msg(sample(10, System.currentTimeMillis()).toBuilder()
                .setMemTotalBytes(4L << 30).build()));
        assertEquals(Status.Code.OK, fine.status().getCode());
    }
}
