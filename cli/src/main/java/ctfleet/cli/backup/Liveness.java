package ctfleet.cli.backup;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells a server that is busy with a long call from one that stopped answering. A backup of a big
 * database is long and silent (the server makes the whole archive before it sends a byte), so no
 * deadline on the call fits both; instead, whenever the server has sent nothing for {@code quiet},
 * it is asked for its health, which a busy server answers at once from other threads. No answer
 * within {@code healthWait} (a stopped, hung or vanished server) cancels the call with the reason.
 */
public final class Liveness implements AutoCloseable {
    /** With {@link #HEALTH_WAIT}, about the 30 s after which the other commands give up. */
    public static final Duration QUIET = Duration.ofSeconds(20);
    public static final Duration HEALTH_WAIT = Duration.ofSeconds(10);

    // grpc.health.v1.Health/Check called with raw bytes: an empty request asks about the whole server,
    // and any answer at all (SERVING or not) shows that it is alive. The CLI carries no health stubs.
    private static final MethodDescriptor<byte[], byte[]> HEALTH = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("grpc.health.v1.Health/Check")
            .setRequestMarshaller(Raw.INSTANCE).setResponseMarshaller(Raw.INSTANCE).build();

    private final Channel channel;
    private final Context.CancellableContext call;
    private final Duration quiet;
    private final Duration healthWait;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ctfleet-liveness");
        t.setDaemon(true);
        return t;
    });
    private volatile long lastHeard = System.nanoTime();
    private volatile String verdict;

    private Liveness(Channel channel, Context.CancellableContext call, Duration quiet, Duration healthWait) {
        this.channel = channel;
        this.call = call;
        this.quiet = quiet;
        this.healthWait = healthWait;
    }

    /** Watches the calls made in {@code call} from now on, until closed. */
    public static Liveness watch(Channel channel, Context.CancellableContext call, Duration quiet, Duration healthWait) {
        Liveness l = new Liveness(channel, call, quiet, healthWait);
        l.timer.scheduleWithFixedDelay(l::check, 1, 1, TimeUnit.SECONDS);
        return l;
    }

    /** The server sent something. */
    public void heard() {
        lastHeard = System.nanoTime();
    }

    /** Why the call was cancelled, or null when it was not. */
    public String verdict() {
        return verdict;
    }

    private void check() {
        long silent = System.nanoTime() - lastHeard;
        if (silent < quiet.toNanos() || verdict != null) {
            return;
        }
        try {
            // Outside the watched context (this thread's is the root), so cancelling it cannot cancel this.
            ClientCalls.blockingUnaryCall(channel, HEALTH,
                    CallOptions.DEFAULT.withDeadlineAfter(healthWait.toMillis(), TimeUnit.MILLISECONDS), new byte[0]);
            heard();
        } catch (StatusRuntimeException e) {
            Status.Code c = e.getStatus().getCode();
            if (c != Status.Code.DEADLINE_EXCEEDED && c != Status.Code.UNAVAILABLE) {
                heard(); // it answered, if only to refuse: alive
                return;
            }
            verdict = "the server stopped answering: nothing from it for " + TimeUnit.NANOSECONDS.toSeconds(silent)
                    + " s, and no answer to a health check within " + healthWait.toSeconds() + " s";
            call.cancel(Status.DEADLINE_EXCEEDED.withDescription(verdict).asRuntimeException());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private enum Raw implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
