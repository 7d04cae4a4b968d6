package ctfleet.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-server limits through the real service: hosts cap, streams per client, message size. */
class LimitsTest {
    @TempDir
    Path dir;

    static final class Stream implements StreamObserver<ServerMessage> {
        final CompletableFuture<Status> end = new CompletableFuture<>();
        StreamObserver<AgentMessage> in;

        @Override
        public void onNext(ServerMessage m) {}

        @Override
        public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end.complete(Status.OK);
        }
    }

    static void awaitHeaders(AtomicReference<Metadata> headers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (headers.get() == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no response headers within 10 s");
            }
            Thread.sleep(5);
        }
    }

    static Stream open(io.grpc.Channel ch) {
        Stream s = new Stream();
        s.in = CollectorGrpc.newStub(ch).stream(s);
        return s;
    }

    static Status hello(ManagedChannel ch, String host) throws Exception {
        Stream s = open(ch);
        s.in.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(host)).build());
        s.in.onCompleted();
        return s.end.get(10, TimeUnit.SECONDS);
    }

    CtfleetServer server(String name, ServerLimits limits, List<io.grpc.ServerInterceptor> chain) throws Exception {
        return new CtfleetServer(InProcessServerBuilder.forName(name).directExecutor(), Database.open(dir),
                Clock.systemUTC(), new Guard(limits, chain)).start();
    }

    @Test
    void aNewHostBeyondMaxHostsIsResourceExhaustedButKnownHostsCarryOn() throws Exception {
        String name = InProcessServerBuilder.generateName();
        ServerLimits two = new ServerLimits(1 << 20, 2, 4, 16, Duration.ofMinutes(5));
        try (CtfleetServer s = server(name, two, List.of())) {
            ManagedChannel ch = InProcessChannelBuilder.forName(name).directExecutor().build();
            assertEquals(Status.Code.OK, hello(ch, "gw-1").getCode());
            assertEquals(Status.Code.OK, hello(ch, "gw-2").getCode());
            Status third = hello(ch, "gw-3");
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, third.getCode());
            assertTrue(third.getDescription().contains("'gw-3'") && third.getDescription().contains("--max-hosts"),
                    third.getDescription());
            assertEquals(Status.Code.OK, hello(ch, "gw-1").getCode(), "a known host is not a new one");
            ch.shutdownNow();
        }
    }

    @Test
    void aClientMayHoldOnlyItsShareOfStreams() throws Exception {
        String name = InProcessServerBuilder.generateName();
        ServerLimits limits = new ServerLimits(1 << 20, 100, 2, 16, Duration.ofMinutes(5));
        StreamLimiter limiter = new StreamLimiter(2);
        try (CtfleetServer s = server(name, limits,
                List.of(new AuthInterceptor(Optional.empty(), false), limiter))) {
            ManagedChannel ch = InProcessChannelBuilder.forName(name).directExecutor().build();
            List<Stream> open = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                AtomicReference<Metadata> headers = new AtomicReference<>();
                open.add(open(ClientInterceptors.intercept(ch, MetadataUtils.newCaptureMetadataInterceptor(headers,
                        new AtomicReference<>()))));
                open.get(i).in.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("gw-" + i)).build());
                // The server sends headers once the limiter has admitted the stream. Calls start on the
                // server's executor, so without this wait the third stream could be admitted first.
                awaitHeaders(headers);
            }
            Stream third = open(ch);
            third.in.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("gw-x")).build());
            Status refused = third.end.get(10, TimeUnit.SECONDS);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode());
            assertTrue(refused.getDescription().contains("2 open streams"), refused.getDescription());
            open.get(0).in.onCompleted();
            open.get(0).end.get(10, TimeUnit.SECONDS);
            assertEquals(Status.Code.OK, hello(ch, "gw-y").getCode(), "a closed stream gives its slot back");
            open.get(1).in.onCompleted();
            open.get(1).end.get(10, TimeUnit.SECONDS);
            ch.shutdownNow();
        }
    }
}
