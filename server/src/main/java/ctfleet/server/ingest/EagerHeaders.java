package ctfleet.server.ingest;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Sends the response headers as soon as a call starts, instead of with the first response.
 *
 * <p>Why: acknowledgements are sent from the ingest writer thread. When the transport ends a call
 * by itself meanwhile (a message over the size limit: RESOURCE_EXHAUSTED), the first ack's headers
 * reach Netty for a stream it already closed, and Netty treats a HEADERS frame on a closed stream as
 * a connection error: GOAWAY, and every other call on that connection fails with INTERNAL. A late
 * DATA frame on a closed stream only fails its own write.
 */
public final class EagerHeaders implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                         ServerCallHandler<Q, R> next) {
        call.sendHeaders(new Metadata());
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata ignored) {
                // already sent: sending them twice is an IllegalStateException in grpc-java
            }
        }, headers);
    }
}
