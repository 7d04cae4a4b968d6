package ctfleet.cli;

/** A mistake in how a command was called: printed with usage, exit status 2. */
public final class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message, null, false, false);
    }
}
