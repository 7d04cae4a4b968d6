package ctfleet.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.ClockReport;
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
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hello carries the host's clock, the server's measurement is logged, and a clock step makes
 * the shipper send what it spooled before the step in the new clock's time, on a new stream whose
 * hello the server measures again.
 */
class ShipperClockTest {
    static final long YEAR = Duration.ofDays(365).toMillis();

    /** What a stream brought: its hello and its samples. */
    record Stream(Hello hello, List<Sample> samples) {}

    final List<Stream> streams = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    volatile boolean ack;
    volatile long reportOffset;
    Server server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new CollectorGrpc.CollectorImplBase() {
            @Override
            public StreamObserver<AgentMessage> stream(StreamObserver<ServerMessage> out) {
                Stream s = new Stream(null, new CopyOnWriteArrayList<>());
                return new StreamObserver<>() {
                    Stream current = s;

                    @Override
                    public void onNext(AgentMessage m) {
                        if (m.hasHello()) {
                            current = new Stream(m.getHello(), current.samples());
                            streams.add(current);
                            out.onNext(ServerMessage.newBuilder().setClock(ClockReport.newBuilder()
                                    .setOffsetMillis(reportOffset).setAllowedSkewMillis(300_000)).build());
                        } else {
                            current.samples().add(m.getSample());
                            if (ack) {
                                out.onNext(ServerMessage.newBuilder().setAck(ctfleet.proto.v1.Ack.newBuilder()
                                        .setSeq(m.getSample().getSeq())).build());
                            }
                        }
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

    static Sample sample(long ts) {
        return Sample.newBuilder().setTsMillis(ts).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(1).build();
    }

    @Test
    void stepAfterSpoolingSendsEarlierSamplesInTheNewTimeOnANewStream() throws Exception {
        AtomicLong wall = new AtomicLong(1_800_000_000_000L);
        AtomicLong mono = new AtomicLong(5_000);
        Shipper shipper = new Shipper(channel, Hello.newBuilder().setHostId("gw-1").build(), new MemoryOutbox(100), timer,
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), 2, new SplittableRandom(1)), log::add,
                (seq, dup) -> { }).withClocks(wall::get, mono::get);
        reportOffset = -YEAR;
        shipper.offer(sample(wall.get()));
        assertEquals(1, streams.size());
        assertEquals(1_800_000_000_000L, streams.get(0).hello().getAgentTimeMillis(), "the hello carries the host's clock");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("this host's clock is 365 d 0 h behind the server's (allowed 5m)")),
                log.toString());

        wall.addAndGet(10_000);
        mono.addAndGet(10_000);
        shipper.offer(sample(wall.get()));
        assertEquals(1, streams.size(), "ten seconds later, same clock: same stream");

        // NTP fixes the clock: it jumps a year forward while ten seconds pass.
        wall.addAndGet(YEAR + 10_000);
        mono.addAndGet(10_000);
        reportOffset = 0;
        shipper.offer(sample(wall.get()));
        assertEquals(2, streams.size(), "a step opens a new stream, so that the server measures the clock again");
        Stream second = streams.get(1);
        assertEquals(wall.get(), second.hello().getAgentTimeMillis());
        List<Long> times = second.samples().stream().map(Sample::getTsMillis).toList();
        assertEquals(List.of(1_800_000_000_000L + YEAR, 1_800_000_010_000L + YEAR, wall.get()), times,
                "samples stamped before the step are sent in the new clock's time");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("the system clock stepped forward by 365 d 0 h")), log.toString());

        ack = true;
        wall.addAndGet(10_000);
        mono.addAndGet(10_000);
        shipper.offer(sample(wall.get()));
        assertTrue(shipper.awaitAck(4, Duration.ofSeconds(5)));
        shipper.close();
    }
}
