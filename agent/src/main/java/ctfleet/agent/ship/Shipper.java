package ctfleet.agent.ship;

import com.google.protobuf.InvalidProtocolBufferException;
import ctfleet.client.StatusText;
import ctfleet.common.Durations;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.ClockReport;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Delivers samples over one stream: says hello (with the count of samples the outbox had to drop),
 * sends what the outbox holds in order, forgets a sample only when the server acknowledges it (after
 * its rows are committed), and when the stream breaks reconnects with capped, jittered backoff and
 * sends every unacknowledged sample again. Sampling never waits on this class: {@link #offer} only
 * appends to the outbox.
 *
 * <p>A sample the server cannot store (a field out of range, a clock too far ahead, another sample
 * already stored for its host and time) is acknowledged as rejected, with the reason: it is logged
 * once and forgotten like any acknowledged sample, and the stream goes on. A permanent error of the
 * stream itself (bad credentials, a refused hello) is not retried blindly: it is logged with the
 * server's reason and retried only at the backoff cap.
 *
 * <p>Clocks: the hello carries this host's clock, and the server answers with the offset it
 * measured ({@link ClockReport}), which is logged when it is a second or more; beyond the server's
 * allowed skew the server stores this stream's samples at its own time. So that one offset fits
 * every sample of a stream, samples are sent in the clock's current frame: when the system clock
 * steps (seen as the wall clock moving against the monotonic one), the samples spooled before the
 * step are sent with the step added, and the stream is opened again so the server measures the
 * new offset.
 */
public final class Shipper implements AutoCloseable {
    /** At most this many samples sent and not yet acknowledged; the server's window is the same size. */
    static final int IN_FLIGHT = 64;

    private final CollectorGrpc.CollectorStub stub;
    private final Hello hello;
    private final Outbox outbox;
    private final Consumer<String> log;
    private final ScheduledExecutorService timer;
    private final Backoff backoff;
    private final Deque<Long> inFlight = new ArrayDeque<>();
    private StreamObserver<AgentMessage> stream;
    private int generation;
    private long lastSent;
    private long ackedSeq;
    private long dropsInHello;
    private boolean dropsReported;
    private boolean reconnectScheduled;
    private boolean closed;
    private Status lastError;
    private final AckListener ackListener;
    private ClockReport clock;
    private String refusedReason;
    private long refusedSeq = -1;
    /** The server refused the stream itself (credentials, permissions): nothing will be acknowledged soon. */
    private String streamRefusal;
    /** Wall clock minus monotonic clock at the last offer, in ms: a jump is a clock step. */
    private long wallMinusMono = Long.MIN_VALUE;
    /** Clock steps seen: {first seq stamped after the step, step in ms}, oldest first. */
    private final Deque<long[]> steps = new ArrayDeque<>();
    /** A wall-clock jump at least this large between two samples is a step, not drift or NTP slewing. */
    static final long STEP_MILLIS = 2_000;
    private LongSupplier wallMillis = System::currentTimeMillis;
    private LongSupplier monotonicMillis = () -> System.nanoTime() / 1_000_000;

    /** Told of every acknowledgement (for latency figures in the simulator); may be a no-op. */
    public interface AckListener {
        void acked(long seq, boolean duplicate);
    }

    /**
     * @param timer a shared scheduler (one is enough for a thousand simulated agents): reconnects
     *              and the once-a-second outbox sync run on it
     */
    public Shipper(Channel channel, Hello hello, Outbox outbox, ScheduledExecutorService timer, Backoff backoff,
                   Consumer<String> log, AckListener ackListener) {
        this.stub = CollectorGrpc.newStub(channel);
        this.hello = hello;
        this.outbox = outbox;
        this.timer = timer;
        this.backoff = backoff;
        this.log = log;
        this.ackListener = ackListener;
    }

    /** For tests: clocks that can step. */
    Shipper withClocks(LongSupplier wall, LongSupplier monotonic) {
        this.wallMillis = wall;
        this.monotonicMillis = monotonic;
        return this;
    }

    /** Starts the once-a-second sync of the outbox (the spool's durability promise). */
    public Shipper startSync() {
        timer.scheduleWithFixedDelay(() -> {
            try {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                }
                outbox.sync();
            } catch (IOException e) {
                log.accept("spool sync failed: " + e.getMessage());
            }
        }, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /**
     * Stores a sample for delivery and returns its sequence number. Never blocks on the network.
     * The outbox numbers samples (its numbers go on across restarts); the wire copy gets it when sent.
     */
    public long offer(Sample sample) throws IOException {
        if (sample.getSeq() != 0) {
            throw new IllegalArgumentException("sample already numbered (seq " + sample.getSeq()
                    + "): the outbox is the only source of sequence numbers");
        }
        long seq = outbox.append(sample.toByteArray());
        synchronized (this) {
            long now = wallMillis.getAsLong() - monotonicMillis.getAsLong();
            long step = wallMinusMono == Long.MIN_VALUE ? 0 : now - wallMinusMono;
            wallMinusMono = now;
            if (Math.abs(step) >= STEP_MILLIS) {
                steps.addLast(new long[] {seq, step});
                log.accept("the system clock stepped " + (step > 0 ? "forward" : "back") + " by "
                        + Durations.offset(Math.abs(step)).replace(" ahead of", "")
                        + "; earlier samples are sent in the new clock's time, and the server measures it again");
                if (stream != null) {
                    restartStream();
                    return seq;
                }
            }
            if (stream == null) {
                if (!reconnectScheduled) {
                    connect();
                }
            } else {
                pump();
            }
        }
        return seq;
    }

    /** Connects now if not connected (to replay what a previous run left in the spool). */
    public synchronized void start() {
        if (stream == null && !reconnectScheduled) {
            connect();
        }
    }

    /** Waits until the server has acknowledged {@code seq}; false on timeout. */
    public synchronized boolean awaitAck(long seq, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ackedSeq < seq) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public synchronized long ackedSeq() {
        return ackedSeq;
    }

    /** What became of a sample handed to {@link #offer}. */
    public record Outcome(boolean acknowledged, String refusal, Status lastError) {
    }

    /**
     * Waits until the server acknowledged {@code seq}, rejected it (its reason) or refused the
     * stream (its reason), or the timeout passed (with the last stream error, if any). For
     * {@code --once}, which has nothing to wait for once the server said no.
     */
    public synchronized Outcome awaitOutcome(long seq, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ackedSeq < seq && streamRefusal == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Outcome(false, null, lastError);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (refusedSeq == seq) {
            return new Outcome(false, refusedReason, lastError);
        }
        if (ackedSeq >= seq) {
            return new Outcome(true, null, lastError);
        }
        return new Outcome(false, streamRefusal, lastError);
    }

    /** The server's last measurement of this host's clock; null before one. */
    public synchronized ClockReport clockReport() {
        return clock;
    }

    /** The reason the last stream ended, for a one-line error message; null when none failed. */
    public synchronized Status lastError() {
        return lastError;
    }

    private void connect() {
        if (closed) {
            return;
        }
        reconnectScheduled = false;
        int gen = ++generation;
        stream = stub.stream(new Acks(gen));
        dropsInHello = outbox.droppedUnreported();
        dropsReported = false;
        stream.onNext(AgentMessage.newBuilder().setHello(hello.toBuilder().setDroppedSamples(dropsInHello)
                .setAgentTimeMillis(wallMillis.getAsLong())).build());
        inFlight.clear();
        lastSent = ackedSeq;
        pump();
    }

    /** Sends outbox records after the last one sent while fewer than IN_FLIGHT await acknowledgement. */
    private void pump() {
        while (stream != null && inFlight.size() < IN_FLIGHT) {
            List<Spool.Entry> next;
            try {
                next = outbox.readFrom(lastSent, IN_FLIGHT - inFlight.size());
            } catch (IOException e) {
                log.accept("reading the spool failed: " + e.getMessage());
                return;
            }
            if (next.isEmpty()) {
                return;
            }
            for (Spool.Entry e : next) {
                lastSent = e.seq();
                Sample s;
                try {
                    Sample.Builder b = Sample.parseFrom(e.record()).toBuilder().setSeq(e.seq());
                    long shift = stepsAfter(e.seq());
                    if (shift != 0) {
                        b.setTsMillis(b.getTsMillis() + shift);
                    }
                    s = b.build();
                } catch (InvalidProtocolBufferException bad) {
                    log.accept("spooled record " + e.seq() + " is not a sample; skipped");
                    continue;
                }
                inFlight.addLast(e.seq());
                stream.onNext(AgentMessage.newBuilder().setSample(s).build());
            }
        }
    }

    private synchronized void acked(int gen, long seq, boolean duplicate, boolean rejected, String reason) {
        if (gen != generation) {
            return;
        }
        if (rejected) {
            // Logged once: the acknowledgement takes it out of the outbox, so it is never sent again.
            log.accept("server refused sample " + seq + ": " + reason + "; dropped it");
            refusedSeq = seq;
            refusedReason = reason;
        }
        while (!inFlight.isEmpty() && inFlight.peekFirst() <= seq) {
            inFlight.removeFirst();
        }
        ackedSeq = Math.max(ackedSeq, seq);
        streamRefusal = null;
        while (!steps.isEmpty() && steps.peekFirst()[0] <= ackedSeq + 1) {
            steps.removeFirst(); // every sample stamped before that step is acknowledged
        }
        try {
            outbox.ack(seq);
            if (!dropsReported && dropsInHello > 0) {
                outbox.markDropsReported(dropsInHello);
            }
            dropsReported = true;
        } catch (IOException e) {
            log.accept("spool ack failed: " + e.getMessage());
        }
        backoff.reset();
        ackListener.acked(seq, duplicate);
        notifyAll();
        pump();
    }

    private synchronized void broken(int gen, Throwable t) {
        if (gen != generation) {
            return; // a stream we already replaced
        }
        lastError = Status.fromThrowable(t);
        stream = null;
        notifyAll();
        if (closed) {
            return;
        }
        Duration delay;
        if (PermanentErrors.isPermanent(lastError.getCode())) {
            streamRefusal = StatusText.describe(lastError);
            delay = backoff.nextAtCap();
            log.accept("server refused the stream: " + StatusText.describe(lastError) + "; not retrying for "
                    + delay.toSeconds() + " s");
        } else {
            delay = backoff.next();
            log.accept("stream to server ended: " + StatusText.describe(lastError) + "; retrying in " + delay.toMillis() + " ms");
        }
        reconnectScheduled = true;
        timer.schedule(this::reconnect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The clock steps after the sample {@code seq} was stamped, summed: what brings its time into the current frame. */
    private long stepsAfter(long seq) {
        long shift = 0;
        for (long[] step : steps) {
            if (step[0] > seq) {
                shift += step[1];
            }
        }
        return shift;
    }

    /** Ends the stream and opens a new one now: its hello makes the server measure the clock again. */
    private void restartStream() {
        StreamObserver<AgentMessage> old = stream;
        stream = null;
        generation++; // acks still coming on the old stream are ignored; those samples are sent again
        old.onCompleted();
        connect();
    }

    private synchronized void clockReported(int gen, ClockReport report) {
        if (gen != generation) {
            return;
        }
        clock = report;
        long offset = report.getOffsetMillis();
        if (Math.abs(offset) > report.getAllowedSkewMillis()) {
            log.accept("this host's clock is " + Durations.offset(offset) + " the server's (allowed "
                    + Durations.format(Duration.ofMillis(report.getAllowedSkewMillis())) + "): the server stores its"
                    + " samples at the server's time and shows the host as clock-skew; fix the clock (NTP)");
        } else if (Math.abs(offset) >= 1000) {
            log.accept("this host's clock is " + Durations.offset(offset) + " the server's (allowed "
                    + Durations.format(Duration.ofMillis(report.getAllowedSkewMillis())) + ")");
        }
        notifyAll();
    }

    private synchronized void reconnect() {
        if (stream == null && !closed) {
            connect();
        }
    }

    /** Ends the stream politely; the outbox is the caller's to close. */
    @Override
    public synchronized void close() {
        closed = true;
        if (stream != null) {
            stream.onCompleted();
            stream = null;
        }
        notifyAll();
    }

    private final class Acks implements StreamObserver<ServerMessage> {
        private final int gen;

        Acks(int gen) {
            this.gen = gen;
        }

        @Override
        public void onNext(ServerMessage m) {
            if (m.hasAck()) {
                var a = m.getAck();
                acked(gen, a.getSeq(), a.getDuplicate(), a.getRejected(), a.getReason());
            } else if (m.hasClock()) {
                clockReported(gen, m.getClock());
            }
        }

        @Override
        public void onError(Throwable t) {
            broken(gen, t);
        }

        @Override
        public void onCompleted() {
            broken(gen, Status.UNAVAILABLE.withDescription("server closed the stream").asException());
        }
    }
}
