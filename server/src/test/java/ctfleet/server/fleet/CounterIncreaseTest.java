package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CounterIncreaseTest {
    @Test
    void growthIsTheDifference() {
        assertEquals(7, CounterIncrease.between(10, 17, BootChange.SAME));
    }

    @Test
    void counterWrapIsNotAReset() {
        // One CPU's counter went from 0xfffffff0 past 2^32 to 0x10: 32 more drops, not -4294967264.
        assertEquals(32, CounterIncrease.between(0xfffffff0L + 5, 0x10 + 5, BootChange.SAME));
    }

    @Test
    void twoCpusWrappingInOneIntervalStillCountsExactly() {
        long before = 0xffffff00L + 0xffffff00L;
        long after = 0x100 + 0x100;
        assertEquals(0x400, CounterIncrease.between(before, after, BootChange.SAME));
    }

    @Test
    void rebootRestartsFromZero() {
        assertEquals(5, CounterIncrease.between(1_000_000, 5, BootChange.REBOOT));
    }

    @Test
    void aFallOfLessThanHalfOfTwoTo32IsAResetNotAWrap() {
        // Counters restarting without a boot id, or a CPU going offline: the sum fell by 4 million,
        // which no wrap does (a wrap takes 2^32 minus the increase off the sum). Unknown, so 0.
        assertEquals(0, CounterIncrease.between(5_000_000, 1_000_000, BootChange.SAME));
        assertEquals(0, CounterIncrease.between((1L << 31), 0, BootChange.SAME));
    }

    @Test
    void aWrapWithMoreThanTwoBillionSinceTheLastSampleIsStillAWrap() {
        assertEquals((1L << 31) - 1, CounterIncrease.between((1L << 31) + 1, 0, BootChange.SAME));
    }
}
