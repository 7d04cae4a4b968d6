package ctfleet.server.store;

/**
 * How full the database file is, as H2 reports it.
 *
 * @param bytes the file's size
 * @param fillRate percent of the file's blocks that belong to chunks (the rest is holes that only
 *     moving chunks and truncating gives back)
 * @param chunksFillRate percent of the chunks' bytes that are still live pages (the rest is
 *     superseded pages that only rewriting the chunk gives back)
 */
public record FileUsage(long bytes, int fillRate, int chunksFillRate) {
    /** The share of the file that is live data, in percent. */
    public int liveRate() {
        return fillRate * chunksFillRate / 100;
    }
}
