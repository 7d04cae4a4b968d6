package ctfleet.agent.procfs;

/**
 * Receives the lines {@link EntryTableReader} reads. The byte range is the line as the kernel
 * printed it, without its newline; it is valid only during the call (the reader reuses its buffer).
 */
public interface EntryListener {

    void onEntry(ConntrackEntry entry, byte[] line, int off, int len);

    /**
     * A line that did not parse; the reader has already counted it. For a line longer than
     * {@link EntryTableReader#MAX_LINE} the range is only its first 256 bytes.
     */
    default void onMalformed(byte[] line, int off, int len, String reason) {
    }
}
