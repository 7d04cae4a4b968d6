package ctfleet.sim;

import java.util.concurrent.atomic.LongAdder;

/** What a simulated fleet sent and what the server acknowledged, summed over every agent. */
public final class FleetTally {
    final LongAdder sent = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder rejected = new LongAdder();
    // Offered but overtaken by a later acknowledgement: the shipper's queue dropped them.
    final LongAdder skipped = new LongAdder();
    final LatencyHistogram ackLatency = new LatencyHistogram();

    public long sent() {
        return sent.sum();
    }

    public long acknowledged() {
        return acknowledged.sum();
    }

    /** Acknowledged but not stored: the server held a different sample for that host and timestamp. */
    public long rejected() {
        return rejected.sum();
    }

    /** True when every sample sent has been acknowledged or given up on. */
    public boolean settled() {
        return acknowledged.sum() + skipped.sum() >= sent.sum();
    }

    /** Time from handing a sample to the pipeline to its acknowledgement arriving. */
    public LatencyHistogram ackLatency() {
        return ackLatency;
    }
}
