package ctfleet.agent.procfs;

/**
 * Receives the lines {@link EntryTableReader} reads. The byte range is the line as the kernel
 * printed it, without its newline; it is valid only during the call (the reader reuses its buffer).
 *
 * <p>Override {@link #onEntry} to receive each line as a record, or {@link #onParsed} to read the
 * parser's reused view and allocate nothing per line (what a full scan's aggregator does).
 */
public interface EntryListener {

    /** A line that parsed, as a record. Called by the default {@link #onParsed}. */
    default void onEntry(ConntrackEntry entry, byte[] line, int off, int len) {
    }

    /** A line that parsed; {@code entry} is overwritten by the next line. */
    default void onParsed(ParsedEntry entry, byte[] line, int off, int len) {
        onEntry(entry.toEntry(), line, off, len);
    }

    /**
     * A line that did not parse; the reader has already counted it. For a line longer than
     * {@link EntryTableReader#MAX_LINE} the range is only its first 256 bytes.
     */
    default void onMalformed(byte[] line, int off, int len, String reason) {
    }
}
