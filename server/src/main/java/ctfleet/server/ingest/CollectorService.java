package ctfleet.server.ingest;

import ctfleet.proto.v1.Ack;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.ClockReport;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.server.metrics.IngestMetrics;
import ctfleet.server.auth.Caller;
import ctfleet.server.auth.Denied;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.health.StoreStatus;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.StoreException;
import ctfleet.server.store.StoreUnavailable;
import ctfleet.server.store.WriteOutcome;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * The agent stream: a hello, then samples; each sample is acknowledged after it is committed. A
 * sample that cannot be stored (a field out of range, a clock too far ahead) is acknowledged as
 * rejected with the reason, in its place among the acknowledgements, and the stream goes on: the
 * agent drops it and sends the next. What ends a stream is about the stream itself: a bad hello,
 * a sample before the hello, bytes that are no message, credentials, a database that cannot store.
 *
 * <p>Flow control is manual: a stream may have at most {@link #WINDOW} samples between "received"
 * and "committed". grpc-java's {@code onNext} never blocks, so with automatic flow control a slow
 * disk would let every stream's messages pile up in memory.
 */
public final class CollectorService extends CollectorGrpc.CollectorImplBase {
    private static final Logger LOG = Logger.getLogger(CollectorService.class.getName());
    static final int WINDOW = 64;

    private final HostStore hosts;
    private final IngestBatcher batcher;
    private final WireDecoder decoder;
    private final Clock clock;
    private final IngestMetrics metrics;
    private final int maxHosts;
    private final Object newHosts = new Object();

    public CollectorService(HostStore hosts, IngestBatcher batcher, WireDecoder decoder, Clock clock) {
        this(hosts, batcher, decoder, clock, IngestMetrics.unregistered(), Integer.MAX_VALUE);
    }

    /** @param maxHosts distinct hosts stored; a hello from a new host beyond it is RESOURCE_EXHAUSTED */
    public CollectorService(HostStore hosts, IngestBatcher batcher, WireDecoder decoder, Clock clock,
                            IngestMetrics metrics, int maxHosts) {
        this.hosts = hosts;
        this.batcher = batcher;
        this.decoder = decoder;
        this.clock = clock;
        this.metrics = metrics;
        this.maxHosts = maxHosts;
    }

    /** Records a hello; a new host only while the server holds fewer than maxHosts (checked and created atomically). */
    private long admit(HostHello hello) throws StoreException, Denied {
        if (hosts.ref(hello.hostId()) >= 0) {
            return hosts.hello(hello, clock.millis());
        }
        synchronized (newHosts) {
            if (hosts.ref(hello.hostId()) < 0 && hosts.count() >= maxHosts) {
                throw new Denied(Status.RESOURCE_EXHAUSTED.withDescription("hello.host_id '" + hello.hostId()
                        + "': the server already stores " + maxHosts + " hosts (server --max-hosts)"));
            }
            return hosts.hello(hello, clock.millis());
        }
    }

    @Override
    public StreamObserver<AgentMessage> stream(StreamObserver<ServerMessage> responses) {
        var out = (ServerCallStreamObserver<ServerMessage>) responses;
        out.disableAutoRequest();
        var stream = new AgentStream(out);
        metrics.streamOpened();
        // Without a handler, onNext after the agent cancelled throws in the ingest thread (when the
        // agent had half-closed first, no onError tells the stream); with it, acks are just dropped.
        out.setOnCancelHandler(stream::cancelled);
        out.request(WINDOW);
        return stream;
    }

    /** A received sample waiting for its answer. */
    private static final class Pending {
        final long seq;
        final long received;
        /** Its answer once known; sent when every sample before it has been answered. */
        Ack ack;
        /** Stored (or found stored): its latency counts in the acknowledgement histogram. */
        boolean committed;

        Pending(long seq, long received) {
            this.seq = seq;
            this.received = received;
        }
    }

    private final class AgentStream implements StreamObserver<AgentMessage> {
        private final ServerCallStreamObserver<ServerMessage> out;
        // Captured while the interceptors' Context is current: who may write which host.
        private final Caller caller = Caller.current();
        private long hostRef = -1;
        private String hostId;
        /** Subtracted from every sample's time: the agent's clock offset when beyond the skew, else 0. */
        private long clockOffset;
        private boolean ended;
        private boolean halfClosed;
        /**
         * Every sample received and not yet answered, in order. An agent forgets everything up to an
         * acknowledged seq, so a rejection may not overtake the commit of a sample before it.
         */
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();

        AgentStream(ServerCallStreamObserver<ServerMessage> out) {
            this.out = out;
        }

        @Override
        public void onNext(AgentMessage m) {
            try {
                switch (m.getBodyCase()) {
                    case HELLO -> {
                        var hello = decoder.hello(m.getHello());
                        caller.checkHost(hello.hostId());
                        long now = clock.millis();
                        var offset = decoder.clockOffset(m.getHello(), now);
                        long skew = decoder.clockSkew().toMillis();
                        if (offset.isPresent()) {
                            hello = hello.withClock(offset.getAsLong(), Math.abs(offset.getAsLong()) > skew);
                            // Beyond the skew, this stream's samples are stored at the server's time.
                            clockOffset = hello.clockSkewed() ? offset.getAsLong() : 0;
                        }
                        hostRef = admit(hello);
                        hostId = hello.hostId();
                        if (offset.isPresent()) {
                            synchronized (this) {
                                if (!ended) {
                                    out.onNext(ServerMessage.newBuilder().setClock(ClockReport.newBuilder()
                                            .setServerTimeMillis(now).setOffsetMillis(offset.getAsLong())
                                            .setAllowedSkewMillis(skew)).build());
                                }
                            }
                        }
                        out.request(1);
                    }
                    case SAMPLE -> {
                        if (hostRef < 0) {
                            throw new InvalidInput("the first message of a stream must be a hello");
                        }
                        Pending p = new Pending(m.getSample().getSeq(), System.nanoTime());
                        synchronized (this) {
                            pending.addLast(p);
                        }
                        SampleRow row;
                        try {
                            row = decoder.sample(m.getSample(), clock.millis(), clockOffset);
                        } catch (InvalidInput refused) {
                            metrics.rejected();
                            answer(p, Ack.newBuilder().setSeq(p.seq).setRejected(true).setReason(refused.getMessage()));
                            return;
                        }
                        batcher.submit(new IngestBatcher.Job(new SampleWrite(hostRef, row, clock.millis()),
                                (outcome, error) -> committed(p, outcome, error)));
                    }
                    default -> throw new InvalidInput(LenientParsing.unparsable(m)
                            .map(why -> "not a valid AgentMessage: " + why)
                            .orElse("empty message: set hello or sample"));
                }
            } catch (InvalidInput e) {
                metrics.rejected();
                fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
            } catch (Denied e) {
                fail(e.status());
            } catch (StoreUnavailable e) {
                fail(StoreStatus.of(e.fault()).getStatus(), StoreStatus.of(e.fault()).getTrailers());
            } catch (StoreException e) {
                LOG.warning("hello from " + hostId + " not stored: " + e.getMessage());
                fail(Status.UNAVAILABLE.withDescription("database unavailable, retry later"));
            }
        }

        private void committed(Pending p, WriteOutcome outcome, Throwable error) {
            if (error != null) {
                if (error instanceof StoreUnavailable u) {
                    fail(StoreStatus.of(u.fault()).getStatus(), StoreStatus.of(u.fault()).getTrailers());
                } else {
                    fail(Status.UNAVAILABLE.withDescription("sample seq " + p.seq + " not stored, retry later"));
                }
                return;
            }
            Ack.Builder ack = Ack.newBuilder().setSeq(p.seq);
            switch (outcome) {
                case STORED -> metrics.ingested();
                case DUPLICATE -> {
                    metrics.duplicate();
                    ack.setDuplicate(true);
                }
                case CONFLICT -> {
                    metrics.conflict();
                    ack.setRejected(true).setReason("a different sample is already stored for this host and timestamp");
                }
            }
            p.committed = true;
            answer(p, ack);
        }

        /** Records a sample's answer and sends every answer that is next in line, in the order received. */
        private synchronized void answer(Pending p, Ack.Builder ack) {
            p.ack = ack.build();
            while (!ended && !pending.isEmpty() && pending.peekFirst().ack != null) {
                Pending next = pending.removeFirst();
                out.onNext(ServerMessage.newBuilder().setAck(next.ack).build());
                if (next.committed) {
                    metrics.acknowledged(System.nanoTime() - next.received);
                }
                out.request(1);
            }
            completeIfDrained();
        }

        /** The agent half-closed: answer every sample still being committed before closing. */
        private void completeIfDrained() {
            if (halfClosed && pending.isEmpty() && !ended) {
                end();
                out.onCompleted();
            }
        }

        private void fail(Status status) {
            fail(status, null);
        }

        private synchronized void fail(Status status, io.grpc.Metadata trailers) {
            if (!ended) {
                end();
                out.onError(status.asRuntimeException(trailers));
            }
        }

        private void end() {
            ended = true;
            metrics.streamClosed();
        }

        private synchronized void cancelled() {
            if (!ended) {
                end();
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                if (!ended) {
                    end();
                }
            }
        }

        @Override
        public synchronized void onCompleted() {
            halfClosed = true;
            completeIfDrained();
        }
    }
}
