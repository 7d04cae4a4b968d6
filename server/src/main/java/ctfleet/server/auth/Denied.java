package ctfleet.server.auth;

import io.grpc.Status;

/** A call or message refused for who sent it (or for a limit), with the status to answer. */
public final class Denied extends Exception {
    private final transient Status status;

    public Denied(Status status) {
        super(status.getDescription(), null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
