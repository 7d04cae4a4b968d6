package ctfleet.agent.ship;

import io.grpc.Status;

/**
 * Which gRPC failures retrying will not fix: the server rejected what we sent or who we are, or
 * does not speak this protocol. Those need an operator (new config, credentials, server version),
 * so the shipper logs the reason and waits the full backoff cap instead of hammering the server.
 * Everything else (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, ...) is the
 * network or a busy or restarting server, and is retried with normal backoff.
 */
public final class PermanentErrors {
    private PermanentErrors() {
    }

    public static boolean isPermanent(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED -> true;
            default -> false;
        };
    }

    /** For a stream's onError: a non-gRPC throwable counts as UNKNOWN, so transient. */
    public static boolean isPermanent(Throwable t) {
        return isPermanent(Status.fromThrowable(t).getCode());
    }
}
