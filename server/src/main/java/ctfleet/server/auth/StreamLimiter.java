package ctfleet.server.auth;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * At most N open streams per client: one agent needs one stream (two briefly while it reconnects),
 * so a client opening dozens is broken or hostile, and each open stream holds server memory.
 *
 * <p>A client is its certificate's host id when it has one, else its IP address. Not the token: a
 * whole fleet may share one agent token. Agents behind one NAT address share the address's quota,
 * hence the flag. Unidentified clients on loopback are not limited. Runs after {@link AuthInterceptor}, whose {@link Caller} it reads.
 */
public final class StreamLimiter implements ServerInterceptor {
    private final int maxStreams;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    public StreamLimiter(int maxStreams) {
        this.maxStreams = maxStreams;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (call.getMethodDescriptor().getType() == MethodType.UNARY) {
            return next.startCall(call, headers);
        }
        Caller caller = Caller.current();
        boolean identified = caller.certHostIds().isPresent() && caller.name().isPresent();
        java.net.SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (!identified && remote instanceof java.net.InetSocketAddress in && in.getAddress() != null
                && in.getAddress().isLoopbackAddress()) {
            // Everything on this machine shares one address: the simulator's thousand agents, a
            // local relay. Local clients are trusted the way plaintext on loopback is.
            return next.startCall(call, headers);
        }
        String client = identified ? caller.name().get() : address(remote);
        boolean[] admitted = {false};
        open.compute(client, (k, v) -> {
            int now = v == null ? 0 : v;
            if (now >= maxStreams) {
                return v;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            return AuthInterceptor.refuse(call, Status.RESOURCE_EXHAUSTED.withDescription(
                    "client " + client + " already has " + maxStreams + " open streams (server --max-streams-per-client)"));
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable end = () -> {
            if (done.compareAndSet(false, true)) {
                open.computeIfPresent(client, (k, v) -> v <= 1 ? null : v - 1);
            }
        };
        // The slot is given back when the server closes the call, before the status leaves: a client
        // that sees its stream end and opens a new one at once must find the slot free. onComplete
        // runs later, on the callback executor; it and onCancel (no close) cover the other endings.
        ServerCall<Q, R> releasing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                end.run();
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(releasing, headers);
        } catch (RuntimeException e) {
            end.run();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onComplete() {
                end.run();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                end.run();
                super.onCancel();
            }
        };
    }

    /** Open streams of a client, for tests and diagnostics. */
    int open(String client) {
        return open.getOrDefault(client, 0);
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            return i.getAddress().getHostAddress();
        }
        return String.valueOf(a);
    }
}
