package ctfleet.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.Ack;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Endpoint;
import ctfleet.proto.v1.EntrySummary;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.proto.v1.StateCount;
import ctfleet.server.CtfleetServer;
import ctfleet.server.auth.Guard;
import ctfleet.server.ingest.InvalidInput;
import ctfleet.server.ingest.WireDecoder;
import ctfleet.server.store.Database;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated protobuf bytes at a real server over a real socket, through a raw call with a
 * bytes marshaller (so nothing on the client side tidies the bytes up). Meanwhile a well-behaved
 * agent streams samples and must keep getting acknowledgements. A sample with hostile values is
 * acknowledged as rejected with its reason; bytes that are no message end their stream. Afterwards
 * every stored sample must be one that the fuzzer sent as a valid message: nothing of a refused
 * message is ever written.
 */
class WireFuzzTest {
    static final long SEED = 7_700_331L;
    static final int MAX_STREAMS = 400;
    static final int FUZZERS = 4;
    static final Duration BUDGET = Duration.ofSeconds(6);
    static final int MAX_MESSAGE_BYTES = ctfleet.server.auth.ServerLimits.DEFAULTS.maxMessageBytes();
    /** What a hostile message may get back; UNKNOWN (an exception escaping the service) is a bug. */
    static final Set<Status.Code> EXPECTED = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.RESOURCE_EXHAUSTED);

    @TempDir
    Path dir;

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> RAW_STREAM = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(CollectorGrpc.getStreamMethod().getFullMethodName())
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    @Test
    void hostileMessagesAreRefusedCleanlyWhileAWellBehavedAgentKeepsBeingServed() throws Exception {
        Database db = Database.open(dir);
        CtfleetServer server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                db, Clock.systemUTC(), Guard.open()).start();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        Set<String> validSamples = ConcurrentHashMap.newKeySet();
        Map<Status.Code, Integer> outcomes = new ConcurrentHashMap<>();
        // Its own connection, as a real agent on another gateway has: a fuzzer may break the shared one.
        ManagedChannel goodChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        GoodAgent good = new GoodAgent(goodChannel, validSamples);
        AtomicInteger streams = new AtomicInteger();
        AtomicInteger messages = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        ExecutorService fuzzers = Executors.newFixedThreadPool(FUZZERS);
        try {
            good.start();
            long end = System.nanoTime() + BUDGET.toNanos();
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < FUZZERS; t++) {
                Random random = new Random(SEED + t);
                runs.add(fuzzers.submit(() -> {
                    while (streams.get() < MAX_STREAMS && System.nanoTime() < end) {
                        int n = streams.getAndIncrement();
                        List<byte[]> batch = hostileStream(random, n, validSamples);
                        Answer answer = send(channel, batch);
                        Status s = answer.status();
                        for (Ack a : answer.acks()) {
                            if (a.getRejected()) {
                                assertFalse(a.getReason().isBlank(), "a rejection says why: " + a);
                                rejected.incrementAndGet();
                            }
                        }
                        // grpc-java ends a call whose message is over the size limit from its own thread
                        // (ServerImpl.internalClose, "not thread-safe" in its source) while our writer
                        // thread may be sending an ack: the client sees RESOURCE_EXHAUSTED or, when the
                        // ack's DATA frame lands after the trailers, RST_STREAM CANCEL. Either way only
                        // that stream ends; the connection and its other calls go on (EagerHeaders).
                        boolean oversized = batch.stream().anyMatch(b -> b.length > MAX_MESSAGE_BYTES);
                        assertTrue(EXPECTED.contains(s.getCode())
                                        || (oversized && s.getCode() == Status.Code.CANCELLED),
                                "stream " + n + " (seed " + SEED + ") ended " + s);
                        if (s.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                            assertTrue(String.valueOf(s.getDescription()).contains("exceeds maximum"), s.toString());
                        }
                        outcomes.merge(s.getCode(), 1, Integer::sum);
                        messages.addAndGet(batch.size());
                        good.assertServedWithin(Duration.ofSeconds(5));
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                try {
                    f.get(BUDGET.toSeconds() + 60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Error err ? err : new AssertionError(e.getCause());
                }
            }
            good.assertServedWithin(Duration.ofSeconds(5));
        } finally {
            fuzzers.shutdownNow();
            good.stop();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            goodChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close(); // commits what is queued before the check below
        }
        System.out.println("fuzz protobuf at the server: " + streams + " streams, " + messages + " messages, outcomes "
                + outcomes + ", " + rejected + " samples acknowledged as rejected; the well-behaved agent got "
                + good.acks.get() + " acks");
        assertTrue(streams.get() >= 20, "too few streams to mean anything: " + streams);
        assertTrue(outcomes.getOrDefault(Status.Code.INVALID_ARGUMENT, 0) > 0, "some messages are no messages at all");
        assertTrue(rejected.get() > 0, "some samples parse and are rejected, each with its reason");
        assertTrue(outcomes.getOrDefault(Status.Code.OK, 0) > 0, "some streams are valid throughout");

        Database reopened = Database.open(dir);
        try (Connection c = reopened.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT ts, ct_count, ct_max FROM raw_samples")) {
            int rows = 0;
            while (rs.next()) {
                String key = rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3);
                assertTrue(validSamples.contains(key), "stored sample " + key + " was never sent as a valid message");
                rows++;
            }
            assertTrue(rows >= good.acks.get(), rows + " rows, " + good.acks.get() + " acknowledged to the good agent");
        } finally {
            reopened.close();
        }
    }

    static String key(Sample s) {
        return s.getTsMillis() + "/" + s.getCount() + "/" + s.getMax();
    }

    /** One hostile stream: random bytes, mutated valid messages, or well-formed messages with hostile values. */
    static List<byte[]> hostileStream(Random r, int n, Set<String> validSamples) {
        long now = System.currentTimeMillis();
        String host = "fz-" + (n % 50);
        Hello hello = Hello.newBuilder().setHostId(host).putLabels("dc", "fuzz").setKernel("6.18").build();
        int kind = r.nextInt(4);
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
        if (kind == 0) { // noise
            for (int i = 0, k = 1 + r.nextInt(3); i < k; i++) {
                byte[] b = new byte[r.nextInt(r.nextInt(10) == 0 ? 2 << 20 : 600)];
                r.nextBytes(b);
                out.add(b);
            }
            return out;
        }
        out.add(AgentMessage.newBuilder().setHello(hello).build().toByteArray());
        for (int i = 0, k = 1 + r.nextInt(4); i < k; i++) {
            Sample s = (kind == 3 ? hostileValues(r, now) : validSample(r, now)).toBuilder().setSeq(i + 1).build();
            byte[] bytes = AgentMessage.newBuilder().setSample(s).build().toByteArray();
            if (kind == 1) {
                bytes = mutate(r, bytes);
            }
            recordIfValid(bytes, now, validSamples);
            out.add(bytes);
        }
        return out;
    }

    /** Remembers the samples the server may store: exactly those its own decoder accepts. */
    static void recordIfValid(byte[] bytes, long now, Set<String> valid) {
        try {
            AgentMessage m = AgentMessage.parseFrom(bytes);
            if (m.hasSample()) {
                new WireDecoder(Duration.ofMinutes(5)).sample(m.getSample(), now + 60_000);
                valid.add(key(m.getSample()));
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException | InvalidInput e) {
            // refused by the server too
        }
    }

    static Sample validSample(Random r, long now) {
        return Sample.newBuilder().setTsMillis(now - r.nextInt(1_000_000)).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                .setCount(r.nextInt(1000)).setMax(1000 + r.nextInt(1000)).setBuckets(256).setBootId("b")
                .putStats("drop", r.nextInt(5)).putStats("insert_failed", 0).putTimeouts("udp_timeout", 30)
                .setEntries(EntrySummary.newBuilder().setSampleSize(10)
                        .addStates(StateCount.newBuilder().setFamily("ipv4").setProtocol("tcp").setState("ESTABLISHED").setSampled(7))
                        .addTopDestinations(Endpoint.newBuilder().setAddress("10.0.0.1").setPort(53).setProtocol("udp").setSampled(3))
                        .addRawEntries("ipv4 2 udp 17 29 src=10.0.0.2 dst=10.0.0.1"))
                .build();
    }

    static Sample hostileValues(Random r, long now) {
        Sample.Builder b = validSample(r, now).toBuilder();
        switch (r.nextInt(9)) {
            case 0 -> b.setCount(-1 - r.nextInt(100));
            case 1 -> b.setTsMillis(now + 3_600_000L * (1 + r.nextInt(1000)));
            case 2 -> b.setTsMillis(r.nextInt(1000));
            case 3 -> b.putStats("X".repeat(1 + r.nextInt(100)), 1);
            case 4 -> {
                for (int i = 0; i < 100; i++) {
                    b.putStats("s" + i, i);
                }
            }
            case 5 -> b.setBootId("b".repeat(65 + r.nextInt(1000)));
            case 6 -> b.setEntries(b.getEntries().toBuilder().addRawEntries("x".repeat(600)));
            case 7 -> b.setStatus(ConntrackStatus.CONNTRACK_STATUS_UNSPECIFIED);
            default -> b.putStats("drop", -5);
        }
        return b.build();
    }

    static byte[] mutate(Random r, byte[] b) {
        byte[] c = b.clone();
        switch (r.nextInt(4)) {
            case 0 -> c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
            case 1 -> c = java.util.Arrays.copyOf(c, r.nextInt(c.length));
            case 2 -> c[r.nextInt(c.length)] = (byte) r.nextInt(256);
            default -> {
                byte[] d = new byte[c.length + 8];
                System.arraycopy(c, 0, d, 0, c.length);
                for (int i = c.length; i < d.length; i++) {
                    d[i] = (byte) 0xff; // a varint that never ends
                }
                c = d;
            }
        }
        return c;
    }

    /** How a stream ended, and the acknowledgements it got. */
    record Answer(Status status, List<Ack> acks) {}

    static Answer send(ManagedChannel channel, List<byte[]> messages) throws InterruptedException {
        ClientCall<byte[], byte[]> call = channel.newCall(RAW_STREAM, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        CountDownLatch done = new CountDownLatch(1);
        Status[] result = {null};
        List<Ack> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                try {
                    ServerMessage m = ServerMessage.parseFrom(message);
                    if (m.hasAck()) {
                        acks.add(m.getAck());
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new AssertionError("the server sent bytes that are no ServerMessage", e);
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                result[0] = status;
                done.countDown();
            }
        }, new Metadata());
        call.request(Integer.MAX_VALUE);
        for (byte[] m : messages) {
            call.sendMessage(m);
        }
        call.halfClose();
        assertTrue(done.await(15, TimeUnit.SECONDS), "the server answered a hostile stream");
        return new Answer(result[0], List.copyOf(acks));
    }

    /** An agent doing everything right on its own stream: one sample every 20 ms. */
    static final class GoodAgent {
        final AtomicLong acks = new AtomicLong();
        final AtomicLong lastAck = new AtomicLong(System.nanoTime());
        private final ManagedChannel channel;
        private final Set<String> valid;
        private volatile boolean running = true;
        private volatile Throwable failure;
        private Thread thread;

        GoodAgent(ManagedChannel channel, Set<String> valid) {
            this.channel = channel;
            this.valid = valid;
        }

        void start() {
            StreamObserver<AgentMessage> in = CollectorGrpc.newStub(channel).stream(new StreamObserver<>() {
                @Override
                public void onNext(ServerMessage m) {
                    acks.incrementAndGet();
                    lastAck.set(System.nanoTime());
                }

                @Override
                public void onError(Throwable t) {
                    failure = t;
                }

                @Override
                public void onCompleted() {}
            });
            in.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("good-agent")).build());
            thread = new Thread(() -> {
                long seq = 0;
                long ts = System.currentTimeMillis() - 3_600_000;
                while (running) {
                    Sample s = Sample.newBuilder().setSeq(++seq).setTsMillis(ts + seq)
                            .setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(seq).setMax(1_000_000).build();
                    valid.add(key(s));
                    in.onNext(AgentMessage.newBuilder().setSample(s).build());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                in.onCompleted();
            }, "good-agent");
            thread.start();
        }

        void assertServedWithin(Duration d) {
            assertEquals(null, failure, "the well-behaved agent's stream failed");
            long since = System.nanoTime() - lastAck.get();
            assertTrue(since < d.toNanos(), "no ack for the well-behaved agent for " + since / 1_000_000 + " ms");
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }
}
