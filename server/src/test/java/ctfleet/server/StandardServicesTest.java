package ctfleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.store.Database;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grpc_health_probe and grpcurl-style tools work against a real server on a loopback port. */
class StandardServicesTest {
    @TempDir
    Path dir;

    @Test
    void healthIsServingAndReflectionListsOurServices() throws Exception {
        try (CtfleetServer server = new CtfleetServer(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), Database.open(dir),
                Clock.systemUTC()).start()) {
            ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                    InsecureChannelCredentials.create()).build();
            try {
                var health = HealthGrpc.newBlockingStub(ch);
                assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                        health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.check(
                        HealthCheckRequest.newBuilder().setService("ctfleet.v1.Collector").build()).getStatus());

                CompletableFuture<List<String>> names = new CompletableFuture<>();
                StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(ch)
                        .serverReflectionInfo(new StreamObserver<ServerReflectionResponse>() {
                            @Override
                            public void onNext(ServerReflectionResponse r) {
                                names.complete(r.getListServicesResponse().getServiceList().stream()
                                        .map(s -> s.getName()).toList());
                            }

                            @Override
                            public void onError(Throwable t) {
                                names.completeExceptionally(t);
                            }

                            @Override
                            public void onCompleted() {}
                        });
                req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
                List<String> got = names.get(10, TimeUnit.SECONDS);
                req.onCompleted();
                assertTrue(got.containsAll(List.of("ctfleet.v1.Collector", "ctfleet.v1.Query", "grpc.health.v1.Health")),
                        got.toString());
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
