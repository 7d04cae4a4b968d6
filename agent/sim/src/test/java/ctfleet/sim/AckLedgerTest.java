package ctfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AckLedgerTest {
    final FleetTally tally = new FleetTally();
    final AckLedger ledger = new AckLedger(tally);

    @Test
    void aReplayedAcknowledgementCountsOnce() {
        ledger.offered(1, System.nanoTime());
        ledger.offered(2, System.nanoTime());
        ledger.acked(1, false);
        ledger.acked(1, false);
        assertEquals(2, tally.sent());
        assertEquals(1, tally.acknowledged());
        assertFalse(tally.settled());
        ledger.acked(2, true);
        assertEquals(2, tally.acknowledged());
        assertEquals(1, tally.rejected());
        assertTrue(tally.settled());
        assertEquals(2, tally.ackLatency().total());
    }

    @Test
    void samplesOvertakenByALaterAcknowledgementAreNotCountedAsAcknowledged() {
        for (long seq = 1; seq <= 3; seq++) {
            ledger.offered(seq, System.nanoTime());
        }
        ledger.acked(3, false);
        assertEquals(1, tally.acknowledged(), "1 and 2 were dropped by the shipper's queue, never stored");
        assertTrue(tally.settled());
    }

    @Test
    void histogramPercentilesAreWithinTwoPercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            h.record(Duration.ofMillis(ms).toNanos());
        }
        assertEquals(50.0, h.percentile(0.50).toNanos() / 1e6, 50 * 0.021);
        assertEquals(99.0, h.percentile(0.99).toNanos() / 1e6, 99 * 0.021);
        assertEquals(Duration.ZERO, new LatencyHistogram().percentile(0.5));
    }
}
