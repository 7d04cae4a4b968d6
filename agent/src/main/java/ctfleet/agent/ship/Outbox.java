package ctfleet.agent.ship;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Where samples wait until the server acknowledges them: the disk {@link Spool} for a long-running
 * agent, {@link MemoryOutbox} for a one-shot run. The shipper only ever talks to this.
 */
public interface Outbox extends Closeable {
    /** Stores a record and returns its sequence number (increasing, never reused for another record). */
    long append(byte[] record) throws IOException;

    /** Unacknowledged records with a sequence number above {@code afterSeq}, oldest first. */
    List<Spool.Entry> readFrom(long afterSeq, int maxRecords) throws IOException;

    /** Forgets every record up to and including {@code seq}. */
    void ack(long seq) throws IOException;

    /** Records dropped (oldest first, for lack of room) and not yet reported to the server. */
    long droppedUnreported();

    void markDropsReported(long count) throws IOException;

    void sync() throws IOException;
}
