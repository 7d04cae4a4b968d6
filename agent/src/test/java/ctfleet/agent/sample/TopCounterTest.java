package ctfleet.agent.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopCounterTest {

    @Test
    void exactBelowTheLimitWithTiesInKeyOrder() {
        TopCounter<String> c = new TopCounter<>(100, 10, Comparator.naturalOrder());
        for (String k : List.of("b", "a", "c", "a", "b", "d")) {
            c.add(k);
        }
        assertFalse(c.approximate());
        assertEquals(List.of(new TopCounter.Counted<>("a", 2), new TopCounter.Counted<>("b", 2),
                new TopCounter.Counted<>("c", 1)), c.top(3));
    }

    @Test
    void sketchCountsStayWithinTheSpaceSavingBound() {
        int capacity = 50;
        TopCounter<Integer> c = new TopCounter<>(200, capacity, Comparator.naturalOrder());
        Map<Integer, Long> truth = new HashMap<>();
        Random random = new Random(42);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            // Five keys take 5% of the stream each (above the n / capacity = 2% that Space-Saving
            // guarantees to keep); a long tail of rare keys forces evictions.
            int key = random.nextInt(4) == 0 ? random.nextInt(5) : 100 + random.nextInt(100_000);
            truth.merge(key, 1L, Long::sum);
            c.add(key);
        }
        assertTrue(c.approximate());
        List<Map.Entry<Integer, Long>> trueTop = truth.entrySet().stream()
                .sorted(Map.Entry.<Integer, Long>comparingByValue().reversed()).limit(5).toList();
        List<TopCounter.Counted<Integer>> top = c.top(capacity);
        long bound = n / capacity;
        for (Map.Entry<Integer, Long> t : trueTop) {
            TopCounter.Counted<Integer> found = top.stream().filter(x -> x.key().equals(t.getKey())).findFirst()
                    .orElseThrow(() -> new AssertionError("lost heavy hitter " + t));
            assertTrue(found.count() >= t.getValue() && found.count() <= t.getValue() + bound, found + " vs " + t);
        }
    }
}
