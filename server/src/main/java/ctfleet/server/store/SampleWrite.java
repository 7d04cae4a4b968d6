package ctfleet.server.store;

/**
 * One sample to store for a host.
 *
 * @param receivedAt when the server received it (kept on the host's latest state)
 * @param source     a live agent's or an import's: a live sample always wins the latest state
 */
public record SampleWrite(long hostRef, SampleRow row, long receivedAt, SampleSource source) {
    /** A live agent's sample. */
    public SampleWrite(long hostRef, SampleRow row, long receivedAt) {
        this(hostRef, row, receivedAt, SampleSource.AGENT);
    }
}
