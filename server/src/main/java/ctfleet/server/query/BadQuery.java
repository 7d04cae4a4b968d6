package ctfleet.server.query;

/** A question the server will not answer as asked: the text says what is wrong (INVALID_ARGUMENT over gRPC). */
public final class BadQuery extends Exception {
    public BadQuery(String message) {
        super(message, null, false, false);
    }
}
