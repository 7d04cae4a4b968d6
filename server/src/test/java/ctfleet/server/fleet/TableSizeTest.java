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
    void theBudgetTakesTheLargestQuarterStepThatFits() {
        // 100 MiB: 393,216 (1.5 x 2^18) x 264 = 99 MiB fits, 458,752 (1.75 x 2^18) x 264 = 115.5 MiB
        // does not; the power of two below, 262,144, would leave a third of the budget unused.
        TableSize s = TableSize.fit(1_048_576, 500_000, 65_536, 65_536, 256, OptionalLong.of(100 * MIB));
        assertEquals(new TableSize(393_216, 393_216, "memory"), s);
        assertTrue(TableSize.cost(s.max(), s.buckets(), 256) <= 100 * MIB);
        assertEquals(0, s.buckets() % 512, "a whole page of hash heads: the kernel's own rounding changes nothing");
        // Every quarter step: 1.25, 1.75 and 2^k itself, each the largest that fits its budget.
        assertEquals(327_680, TableSize.fit(1_048_576, 500_000, 65_536, 65_536, 256, OptionalLong.of(90 * MIB)).max());
        assertEquals(458_752, TableSize.fit(1_048_576, 500_000, 65_536, 65_536, 256, OptionalLong.of(116 * MIB)).max());
        assertEquals(524_288, TableSize.fit(1_048_576, 500_000, 65_536, 65_536, 256, OptionalLong.of(140 * MIB)).max());
        // Today's hash, if larger, stays.
        assertEquals(new TableSize(393_216, 524_288, "memory"),
                TableSize.fit(1_048_576, 300_000, 262_144, 524_288, 256, OptionalLong.of(101 * MIB)));
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
