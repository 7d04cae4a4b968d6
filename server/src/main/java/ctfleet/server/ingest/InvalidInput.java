package ctfleet.server.ingest;

/** A message an agent sent that cannot be stored; the text says which field and why. */
public final class InvalidInput extends Exception {
    public InvalidInput(String message) {
        super(message, null, false, false);
    }
}
