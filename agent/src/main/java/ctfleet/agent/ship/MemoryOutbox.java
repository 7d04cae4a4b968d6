package ctfleet.agent.ship;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A bounded in-memory outbox for one-shot runs (--once), where a restart has nothing to replay. */
public final class MemoryOutbox implements Outbox {
    private final int capacity;
    private final Deque<Spool.Entry> entries = new ArrayDeque<>();
    private long lastSeq;
    private long dropped;

    public MemoryOutbox(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized long append(byte[] record) {
        if (entries.size() >= capacity) {
            entries.removeFirst();
            dropped++;
        }
        entries.addLast(new Spool.Entry(++lastSeq, record));
        return lastSeq;
    }

    @Override
    public synchronized List<Spool.Entry> readFrom(long afterSeq, int maxRecords) {
        List<Spool.Entry> out = new ArrayList<>();
        for (Spool.Entry e : entries) {
            if (e.seq() > afterSeq) {
                out.add(e);
                if (out.size() == maxRecords) {
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public synchronized void ack(long seq) {
        while (!entries.isEmpty() && entries.peekFirst().seq() <= seq) {
            entries.removeFirst();
        }
    }

    @Override
    public synchronized long droppedUnreported() {
        return dropped;
    }

    @Override
    public synchronized void markDropsReported(long count) {
        dropped -= Math.min(count, dropped);
    }

    @Override
    public void sync() {}

    @Override
    public void close() {}
}
