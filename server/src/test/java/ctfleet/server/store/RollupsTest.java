package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RollupsTest {
    static RawPoint raw(long ts, long count, long max, int boot, long drop) {
        return new RawPoint(ts, true, count, max, new Counters(boot, drop, 0, 0, 0));
    }

    @Test
    void increaseAcrossAWrapInsideOneMinuteIsTheTrueGrowth() {
        long nearWrap = (1L << 32) - 10;
        var minutes = Rollups.ofRaw(Optional.of(new Counters(1, nearWrap - 5, 0, 0, 0)),
                List.of(raw(0, 10, 100, 1, nearWrap), raw(10_000, 20, 100, 1, 6)), Rollups.MINUTE);
        assertEquals(1, minutes.size());
        assertEquals(5 + 16, minutes.get(0).increases().drop(), "5 before the wrap, 10 to 2^32, 6 after");
    }

    @Test
    void rebootInsideAMinuteCountsTheNewBootFromZero() {
        var minutes = Rollups.ofRaw(Optional.empty(),
                List.of(raw(0, 10, 100, 1, 1000), raw(10_000, 10, 100, 1, 1003), raw(20_000, 10, 100, 2, 4)),
                Rollups.MINUTE);
        assertEquals(3 + 4, minutes.get(0).increases().drop());
        assertEquals(2, minutes.get(0).last().boot());
    }

    @Test
    void firstIncreaseOfABucketIsMeasuredFromThePreviousBucketsLastSample() {
        var minutes = Rollups.ofRaw(Optional.empty(),
                List.of(raw(50_000, 1, 100, 1, 10), raw(70_000, 1, 100, 1, 15)), Rollups.MINUTE);
        assertEquals(List.of(0L, 60_000L), minutes.stream().map(Bucket::ts).toList());
        assertEquals(0, minutes.get(0).increases().drop(), "nothing known before the first sample");
        assertEquals(5, minutes.get(1).increases().drop());
    }

    @Test
    void mergeKeepsExtremesAndAddsSumsAndIncreases() {
        var minutes = Rollups.ofRaw(Optional.empty(), List.of(raw(0, 10, 100, 1, 0), raw(60_000, 90, 100, 1, 7),
                raw(120_000, 30, 200, 1, 9)), Rollups.MINUTE);
        Bucket hour = Rollups.merge(0, minutes);
        assertEquals(3, hour.n());
        assertEquals(10, hour.countMin());
        assertEquals(90, hour.countMax());
        assertEquals(130, hour.countSum());
        assertEquals(200, hour.maxMax());
        assertEquals(0.9, hour.fillMax().getAsDouble(), 1e-12);
        assertEquals(9, hour.increases().drop());
        assertEquals(120_000, hour.lastTs());
    }

    @Test
    void hostWithoutALimitHasNoFill() {
        var minutes = Rollups.ofRaw(Optional.empty(), List.of(raw(0, 10, 0, 1, 0)), Rollups.MINUTE);
        assertTrue(minutes.get(0).fillMax().isEmpty());
    }
}
