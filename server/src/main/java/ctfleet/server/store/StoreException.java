package ctfleet.server.store;

/**
 * A store call failed: what ingest and the queries see of the database, instead of JDBC's
 * {@link java.sql.SQLException}. {@link StoreUnavailable} when the database cannot work now (its
 * fault has a sentence for the caller); anything else is a failed statement, with the database's
 * own message.
 */
public class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
