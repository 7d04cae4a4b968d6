package ctfleet.server.ingest;

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
import org.junit.jupiter.api.io.TempDir;

/** The real service and store over the in-process transport, and a way to run one agent stream against them. */
abstract class AgentStreamHarness {
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

}
