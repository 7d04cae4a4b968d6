package ctfleet.agent.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyCounterTest {

    private static Map<Long, Long> counts(KeyCounter c) {
        Map<Long, Long> out = new HashMap<>();
        c.forEach((a, b, k, count) -> out.put(a, count));
        return out;
    }

    @Test
    void exactBelowTheLimit() {
        KeyCounter c = new KeyCounter(100, 10);
        for (long k : List.of(2L, 1L, 3L, 1L, 2L, 4L)) {
            c.add(k, 0, 0);
        }
        assertFalse(c.approximate());
        assertEquals(Map.of(1L, 2L, 2L, 2L, 3L, 1L, 4L, 1L), counts(c));
    }

    @Test
    void sketchCountsStayWithinTheSpaceSavingBound() {
        int capacity = 50;
        KeyCounter c = new KeyCounter(200, capacity);
        Map<Long, Long> truth = new HashMap<>();
        Random random = new Random(42);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            // Five keys take 5% of the stream each (above the n / capacity = 2% that Space-Saving
            // guarantees to keep); a long tail of rare keys forces evictions.
            long key = random.nextInt(4) == 0 ? random.nextInt(5) : 100 + random.nextInt(100_000);
            truth.merge(key, 1L, Long::sum);
            c.add(key, 7, 9);
        }
        assertTrue(c.approximate());
        Map<Long, Long> kept = counts(c);
        assertTrue(kept.size() <= capacity, "the sketch holds at most its capacity: " + kept.size());
        long bound = n / capacity;
        truth.entrySet().stream().sorted(Map.Entry.<Long, Long>comparingByValue().reversed()).limit(5).forEach(t -> {
            Long found = kept.get(t.getKey());
            assertTrue(found != null, "lost heavy hitter " + t);
            assertTrue(found >= t.getValue() && found <= t.getValue() + bound, found + " vs " + t);
        });
    }
}
