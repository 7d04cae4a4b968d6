package ctfleet.sim;

import java.util.ArrayDeque;

/**
 * One agent's samples between hand-over and acknowledgement, to measure acknowledgement latency from
 * outside the shipper: the simulator records each sample as it enters the pipeline, and a tap on the
 * channel reports each acknowledgement as it arrives.
 */
final class AckLedger {
    private final FleetTally tally;
    // Offer times (System.nanoTime) of seq nextSeq, nextSeq + 1, ...: an agent's sequence numbers are consecutive.
    private final ArrayDeque<Long> offeredAt = new ArrayDeque<>();
    private long nextSeq = 1;

    AckLedger(FleetTally tally) {
        this.tally = tally;
    }

    /** The outbox gave a sample handed over at {@code atNanos} (System.nanoTime) the number {@code seq}. */
    synchronized void offered(long seq, long atNanos) {
        if (offeredAt.isEmpty()) {
            nextSeq = seq;
        }
        offeredAt.addLast(atNanos);
        tally.sent.increment();
    }

    /** The server acknowledged {@code seq}; an acknowledgement of an already settled seq (a replay) counts once. */
    synchronized void acked(long seq, boolean rejected) {
        long now = System.nanoTime();
        while (!offeredAt.isEmpty() && nextSeq < seq) {
            offeredAt.removeFirst();
            nextSeq++;
            tally.skipped.increment();
        }
        if (offeredAt.isEmpty() || nextSeq != seq) {
            return;
        }
        tally.ackLatency.record(now - offeredAt.removeFirst());
        nextSeq++;
        tally.acknowledged.increment();
        if (rejected) {
            tally.rejected.increment();
        }
    }
}
