package ctfleet.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.Ack;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sample the server cannot store, over an in-process server that answers as ctfleet's does: it
 * acknowledges the sample as rejected, with the reason, on the same stream. The shipper logs it once,
 * drops it from the spool and goes on with the next; the outbox alone numbers samples.
 */
class ShipperRefusalTest {
    static final String REASON = "sample seq 3: count is negative (-1)";

    @TempDir
    Path dir;

    final AtomicInteger streams = new AtomicInteger();
    final List<Long> received = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Server server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new CollectorGrpc.CollectorImplBase() {
            @Override
            public StreamObserver<AgentMessage> stream(StreamObserver<ServerMessage> out) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(AgentMessage m) {
                        if (m.hasHello()) {
                            streams.incrementAndGet();
                            return;
                        }
                        Sample s = m.getSample();
                        received.add(s.getSeq());
                        Ack.Builder ack = Ack.newBuilder().setSeq(s.getSeq());
                        if (s.getCount() < 0) {
                            ack.setRejected(true).setReason("sample seq " + s.getSeq() + ": count is negative ("
                                    + s.getCount() + ")");
                        }
                        out.onNext(ServerMessage.newBuilder().setAck(ack).build());
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                };
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        timer.shutdownNow();
    }

    Shipper shipper(Outbox outbox) {
        return new Shipper(channel, Hello.newBuilder().setHostId("gw-1").build(), outbox, timer,
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), 2, new SplittableRandom(1)), log::add,
                (seq, duplicate) -> { });
    }

    static Sample sample(long count) {
        return Sample.newBuilder().setTsMillis(1_800_000_000_000L + count).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                .setCount(count).setMax(65536).build();
    }

    @Test
    void aRefusedSampleIsLoggedOnceDroppedFromTheSpoolAndTheStreamGoesOn() throws Exception {
        try (Spool spool = Spool.open(dir.resolve("spool"))) {
            Shipper shipper = shipper(spool);
            for (long count : new long[] {10, 20, -1, 40, 50}) {
                shipper.offer(sample(count));
            }
            assertTrue(shipper.awaitAck(5, Duration.ofSeconds(5)), log.toString());
            assertEquals(1, streams.get(), "one stream: a refused sample does not end it");
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), received, "each sample sent once, the refused one too");
            List<String> said = log.stream().filter(l -> l.contains("sample 3")).toList();
            assertEquals(List.of("server refused sample 3: " + REASON + "; dropped it"), said, "logged once, with the reason");
            assertFalse(log.stream().anyMatch(l -> l.startsWith("stream to server ended")), log.toString());
            assertEquals(List.of(), spool.readFrom(0, 100), "nothing waits in the spool, the refused sample neither");
            shipper.close();
        }
        try (Spool again = Spool.open(dir.resolve("spool"))) {
            assertEquals(List.of(), again.readFrom(0, 100), "a restart replays nothing");
        }
    }

    @Test
    void theSpoolNumbersSamplesAndGoesOnAcrossRestarts() throws Exception {
        try (Spool spool = Spool.open(dir.resolve("spool"))) {
            Shipper shipper = shipper(spool);
            assertEquals(1, shipper.offer(sample(1)));
            assertEquals(2, shipper.offer(sample(2)));
            assertTrue(shipper.awaitAck(2, Duration.ofSeconds(5)));
            shipper.close();
        }
        try (Spool spool = Spool.open(dir.resolve("spool"))) {
            Shipper shipper = shipper(spool);
            assertEquals(3, shipper.offer(sample(3)), "the spool's numbers go on after a restart");
            assertTrue(shipper.awaitAck(3, Duration.ofSeconds(5)));
            shipper.close();
        }
        assertEquals(List.of(1L, 2L, 3L), received, "the wire carries the spool's numbers");
        Shipper shipper = shipper(new MemoryOutbox(4));
        var e = assertThrows(IllegalArgumentException.class, () -> shipper.offer(sample(1).toBuilder().setSeq(7).build()));
        assertTrue(e.getMessage().contains("only source of sequence numbers"), e.getMessage());
    }

    @Test
    void onceLearnsTheServersReasonForARefusedSample() throws Exception {
        Shipper shipper = shipper(new MemoryOutbox(1));
        long seq = shipper.offer(sample(-1));
        Shipper.Outcome outcome = shipper.awaitOutcome(seq, Duration.ofSeconds(5));
        assertFalse(outcome.acknowledged());
        assertEquals("sample seq 1: count is negative (-1)", outcome.refusal());
        long next = shipper.offer(sample(7));
        assertTrue(shipper.awaitOutcome(next, Duration.ofSeconds(5)).acknowledged(), "and the stream goes on");
        assertEquals(1, streams.get());
        shipper.close();
    }
}
