package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TableSizeTest {
    static final long MIB = 1L << 20;

    @Test
    void withoutACapItIsWhatIsNeededWithTheHashFollowing() {
        TableSize s = TableSize.fit(524_288, 200_000, 262_144, 65_536, 256, OptionalLong.empty());
        assertEquals(new TableSize(524_288, 524_288, ""), s);
    }

    @Test
    void theBudgetTakesTheLargestPowerOfTwoThatFits() {
        // 100 MiB: 262,144 x 264 = 66 MiB fits, 524,288 x 264 = 132 MiB does not.
        TableSize s = TableSize.fit(1_048_576, 500_000, 65_536, 65_536, 256, OptionalLong.of(100 * MIB));
        assertEquals(new TableSize(262_144, 262_144, "memory"), s);
        assertTrue(TableSize.cost(s.max(), s.buckets(), 256) <= 100 * MIB);
    }

    @Test
    void nothingAboveTodayFitsSoTodayStaysAndANeededHashOnlyIfItFits() {
        // Today's 262,144 with 65,536 buckets costs 64.5 MiB; the hash at 262,144 would cost 66 MiB.
        assertEquals(new TableSize(262_144, 65_536, "memory"),
                TableSize.fit(1_048_576, 250_000, 262_144, 65_536, 256, OptionalLong.of(65 * MIB)));
        assertEquals(new TableSize(262_144, 262_144, "memory"),
                TableSize.fit(1_048_576, 250_000, 262_144, 65_536, 256, OptionalLong.of(67 * MIB)));
    }

    @Test
    void theKernelsLimitsHoldWhateverTheNeed() {
        TableSize s = TableSize.fit(1L << 35, 1L << 34, 262_144, 262_144, 256, OptionalLong.empty());
        assertEquals(new TableSize(KernelLimits.MAX_CONNTRACK_MAX, KernelLimits.MAX_BUCKETS, "kernel"), s);
        assertTrue(KernelLimits.MAX_CONNTRACK_MAX <= Integer.MAX_VALUE
                && KernelLimits.MAX_CONNTRACK_MAX * 2 > Integer.MAX_VALUE, "the largest power of two within INT_MAX");
        assertTrue(KernelLimits.MAX_BUCKETS * 8 <= Integer.MAX_VALUE && KernelLimits.MAX_BUCKETS * 16 > Integer.MAX_VALUE,
                "the largest power of two of 8-byte heads within INT_MAX bytes");
    }

    @Test
    void aQuietTableKeepsItsHash() {
        assertEquals(new TableSize(262_144, 65_536, ""),
                TableSize.fit(131_072, 60_000, 262_144, 65_536, 256, OptionalLong.empty()));
        assertEquals(new TableSize(262_144, 262_144, ""),
                TableSize.fit(131_072, 140_000, 262_144, 65_536, 256, OptionalLong.empty()), "chains of 4.3 at peak");
    }
}
