package ctfleet.agent.ship;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps one stream to the server: says hello, sends samples in order, forgets a sample only when the
 * server acknowledges it (after its rows are committed), and on a broken stream reconnects and sends
 * every unacknowledged sample again. Sampling never waits on this class: {@link #offer} only queues.
 */
public final class Shipper implements AutoCloseable {
    private final CollectorGrpc.CollectorStub stub;
    private final Hello hello;
    private final int maxPending;
    private final Consumer<String> log;
    private final ScheduledExecutorService reconnects =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ctfleet-shipper");
                t.setDaemon(true);
                return t;
            });
    private final Deque<Sample> pending = new ArrayDeque<>();
    private StreamObserver<AgentMessage> stream;
    private long ackedSeq;
    private long droppedSinceHello;
    private Duration retryDelay = Duration.ofMillis(200);
    private boolean closed;
    private int generation;
    private Status lastError;

    public Shipper(Channel channel, Hello hello, int maxPending, Consumer<String> log) {
        this.stub = CollectorGrpc.newStub(channel);
        this.hello = hello;
        this.maxPending = maxPending;
        this.log = log;
    }

    /** Queues a sample and sends it now when connected. Never blocks on the network. */
    public synchronized void offer(Sample sample) {
        if (pending.size() >= maxPending) {
            pending.removeFirst();
            droppedSinceHello++;
        }
        pending.addLast(sample);
        if (stream == null) {
            connect();
        } else {
            send(sample);
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

    /** The reason the last stream ended, for a one-line error message; null when none failed. */
    public synchronized Status lastError() {
        return lastError;
    }

    private void connect() {
        if (closed) {
            return;
        }
        StreamObserver<AgentMessage> s = stub.stream(new Acks(++generation));
        stream = s;
        s.onNext(AgentMessage.newBuilder()
                .setHello(hello.toBuilder().setDroppedSamples(droppedSinceHello))
                .build());
        droppedSinceHello = 0;
        for (Sample p : pending) {
            send(p);
        }
    }

    private void send(Sample sample) {
        stream.onNext(AgentMessage.newBuilder().setSample(sample).build());
    }

    private synchronized void acked(long seq) {
        while (!pending.isEmpty() && pending.peekFirst().getSeq() <= seq) {
            pending.removeFirst();
        }
        ackedSeq = Math.max(ackedSeq, seq);
        retryDelay = Duration.ofMillis(200);
        notifyAll();
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
        log.accept("stream to server ended: " + describe(lastError) + "; retrying in " + retryDelay.toMillis() + " ms");
        Duration delay = retryDelay;
        retryDelay = retryDelay.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30) : retryDelay.multipliedBy(2);
        reconnects.schedule(this::reconnect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void reconnect() {
        if (stream == null && !pending.isEmpty()) {
            connect();
        }
    }

    static String describe(Status s) {
        return StatusText.describe(s);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (stream != null) {
            stream.onCompleted();
            stream = null;
        }
        reconnects.shutdownNow();
    }

    private final class Acks implements StreamObserver<ServerMessage> {
        private final int gen;

        Acks(int gen) {
            this.gen = gen;
        }

        @Override
        public void onNext(ServerMessage m) {
            if (m.hasAck()) {
                acked(m.getAck().getSeq());
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
