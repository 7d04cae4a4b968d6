package ctfleet.server.query;

/** A host the server has never heard of (NOT_FOUND over gRPC). */
public final class UnknownHost extends Exception {
    public UnknownHost(String host) {
        super("no host '" + QueryRequests.shown(host) + "' has reported to this server", null, false, false);
    }
}
