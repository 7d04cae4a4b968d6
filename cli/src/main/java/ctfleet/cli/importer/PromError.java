package ctfleet.cli.importer;

/** Prometheus could not answer a question; the message is for the operator, without a stack trace. */
public final class PromError extends Exception {
    public enum Kind {
        /** Nothing listening, a refused connection, a timeout of the HTTP exchange itself. */
        UNREACHABLE,
        /** Something answered, but not Prometheus' HTTP API. */
        NOT_PROMETHEUS,
        /** The query was too large for the server's limits (max samples, 11,000 points, timeout). */
        LIMIT,
        /** Any other error Prometheus reported (bad selector, access refused, ...). */
        QUERY
    }

    private final Kind kind;

    public PromError(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
