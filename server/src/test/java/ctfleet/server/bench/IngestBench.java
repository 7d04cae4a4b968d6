package ctfleet.server.bench;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleStore;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sustained ingest through the real server (gRPC on loopback, validation, group commit, acks after
 * commit) with many concurrent agent streams, against the same rows inserted straight into H2 with
 * JDBC batches in the same run. Prints both rates and their ratio (target >= 0.7).
 *
 * <p>Run: {@code java -cp <server test classpath> ctfleet.server.bench.IngestBench [streams] [samplesPerStream]}
 */
public final class IngestBench {
    public static void main(String[] args) throws Exception {
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int perStream = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        long t0 = System.currentTimeMillis() - 86_400_000L;

        double direct = direct(streams, perStream, t0);
        double served = served(streams, perStream, t0);
        System.out.printf("streams %d x %d samples%n", streams, perStream);
        System.out.printf("direct JDBC batches   %,10.0f samples/s%n", direct);
        System.out.printf("through the server    %,10.0f samples/s%n", served);
        System.out.printf("ratio server/direct   %10.2f  (target >= 0.70)%n", served / direct);
    }

    static SampleRow row(long ts, int i) {
        return new SampleRow(ts, true, 1000 + i, 262144, 65536, 4096, 0, "boot", Map.of("drop", 0L, "early_drop", 0L),
                new TreeMap<>(), 320, true, "");
    }

    /** The baseline: SampleStore's own batched INSERT in transactions of 1000 rows, one thread. */
    static double direct(int streams, int perStream, long t0) throws Exception {
        Path dir = Files.createTempDirectory("ingest-direct");
        try (Database db = Database.open(dir)) {
            HostStore hosts = new HostStore(db);
            long[] refs = new long[streams];
            for (int h = 0; h < streams; h++) {
                refs[h] = hosts.hello(new HostHello("gw-" + h, Map.of(), "6.1", "bench", 0), t0);
            }
            SampleStore store = new SampleStore(db);
            long start = System.nanoTime();
            List<SampleStore.Write> batch = new ArrayList<>();
            for (int i = 0; i < perStream; i++) {
                for (int h = 0; h < streams; h++) {
                    batch.add(new SampleStore.Write(refs[h], row(t0 + i * 1000L, i), t0));
                    if (batch.size() == 1000) {
                        store.write(batch);
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                store.write(batch);
            }
            return (double) streams * perStream / ((System.nanoTime() - start) / 1e9);
        }
    }

    static double served(int streams, int perStream, long t0) throws Exception {
        Path dir = Files.createTempDirectory("ingest-served");
        try (CtfleetServer server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(dir), Clock.systemUTC()).start()) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            AtomicLong acked = new AtomicLong();
            CountDownLatch done = new CountDownLatch(streams);
            long start = System.nanoTime();
            for (int h = 0; h < streams; h++) {
                startStream(ch, "gw-" + h, perStream, t0, acked, done);
            }
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("streams did not finish: " + acked.get() + " acked");
            }
            double rate = acked.get() / ((System.nanoTime() - start) / 1e9);
            ch.shutdownNow();
            return rate;
        }
    }

    /** One agent stream sending as fast as the server's flow control lets it, counting acks. */
    static void startStream(ManagedChannel ch, String host, int n, long t0, AtomicLong acked, CountDownLatch done) {
        CollectorGrpc.newStub(ch).stream(new ClientResponseObserver<AgentMessage, ServerMessage>() {
            ClientCallStreamObserver<AgentMessage> out;
            int sent;
            int got;

            @Override
            public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
                out = requestStream;
                out.setOnReadyHandler(this::pump);
            }

            private synchronized void pump() {
                if (sent == 0) {
                    out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(host)).build());
                }
                while (out.isReady() && sent < n) {
                    sent++;
                    out.onNext(AgentMessage.newBuilder().setSample(Sample.newBuilder().setSeq(sent)
                            .setTsMillis(t0 + sent * 1000L).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                            .setCount(1000 + sent).setMax(262144).setBuckets(65536).putStats("drop", 0)
                            .putStats("early_drop", 0)).build());
                }
            }

            @Override
            public synchronized void onNext(ServerMessage m) {
                acked.incrementAndGet();
                if (++got == n) {
                    out.onCompleted();
                }
            }

            @Override
            public void onError(Throwable t) {
                System.err.println(host + ": " + t);
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
    }
}
