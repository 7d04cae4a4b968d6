package ctfleet.agent.sample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts keys and reports the most frequent ones, in bounded memory.
 *
 * <p>Exact while at most {@code exactLimit} distinct keys have been seen: a sample of the table's
 * head (2000 lines by default) never gets near it. Beyond that (a full scan of a 262k table with
 * as many distinct sources) it becomes a Space-Saving sketch (Metwally, Agrawal, El Abbadi 2005)
 * of {@code sketchCapacity} counters: every key whose true count exceeds n / capacity is kept, and
 * each reported count overestimates the truth by at most n / capacity. {@link #approximate()} says
 * whether that happened.
 *
 * <p>The sketch keeps its counters in an indexed min-heap, so an update costs O(log capacity)
 * rather than a scan for the smallest counter on every new key.
 */
final class TopCounter<K> {

    /** A key and its count (exact, or Space-Saving's upper bound once approximate). */
    record Counted<K>(K key, long count) {
    }

    private final int exactLimit;
    private final int sketchCapacity;
    private final Comparator<? super K> tieBreak;
    private HashMap<K, long[]> exact = new HashMap<>();
    private Sketch<K> sketch;

    TopCounter(int exactLimit, int sketchCapacity, Comparator<? super K> tieBreak) {
        if (sketchCapacity < 1 || exactLimit < sketchCapacity) {
            throw new IllegalArgumentException("need 1 <= sketchCapacity <= exactLimit");
        }
        this.exactLimit = exactLimit;
        this.sketchCapacity = sketchCapacity;
        this.tieBreak = tieBreak;
    }

    void add(K key) {
        if (sketch != null) {
            sketch.add(key);
            return;
        }
        long[] c = exact.get(key);
        if (c != null) {
            c[0]++;
            return;
        }
        exact.put(key, new long[] {1});
        if (exact.size() > exactLimit) {
            switchToSketch();
        }
    }

    boolean approximate() {
        return sketch != null;
    }

    /** The k largest counts, largest first; ties in key order so output is deterministic. */
    List<Counted<K>> top(int k) {
        List<Counted<K>> all = new ArrayList<>();
        if (sketch != null) {
            for (int i = 0; i < sketch.size; i++) {
                all.add(new Counted<>(sketch.keys.get(i), sketch.counts[i]));
            }
        } else {
            for (Map.Entry<K, long[]> e : exact.entrySet()) {
                all.add(new Counted<>(e.getKey(), e.getValue()[0]));
            }
        }
        Comparator<Counted<K>> order = Comparator.<Counted<K>>comparingLong(Counted::count).reversed()
                .thenComparing(Counted::key, tieBreak);
        all.sort(order);
        return all.size() > k ? List.copyOf(all.subList(0, k)) : List.copyOf(all);
    }

    /**
     * Seeds the sketch with the largest exact counts. A dropped key's true count is at most the
     * smallest kept one, which is exactly what Space-Saving assumes of an evicted key, so the error
     * bound still holds.
     */
    private void switchToSketch() {
        List<Map.Entry<K, long[]>> entries = new ArrayList<>(exact.entrySet());
        entries.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        sketch = new Sketch<>(sketchCapacity);
        for (int i = 0; i < Math.min(sketchCapacity, entries.size()); i++) {
            sketch.seed(entries.get(i).getKey(), entries.get(i).getValue()[0]);
        }
        exact = null;
    }

    /** Space-Saving counters in a min-heap on count, with a key to heap-position index. */
    private static final class Sketch<K> {
        final ArrayList<K> keys;
        final long[] counts;
        final HashMap<K, Integer> position;
        int size;

        Sketch(int capacity) {
            keys = new ArrayList<>(capacity);
            counts = new long[capacity];
            position = new HashMap<>(capacity * 2);
        }

        void seed(K key, long count) {
            keys.add(key);
            counts[size] = count;
            position.put(key, size);
            siftUp(size++);
        }

        void add(K key) {
            Integer at = position.get(key);
            if (at != null) {
                counts[at]++;
                siftDown(at);
            } else if (size < counts.length) {
                seed(key, 1);
            } else {
                // Evict the smallest counter; the newcomer inherits its count as possible error.
                position.remove(keys.get(0));
                keys.set(0, key);
                counts[0]++;
                position.put(key, 0);
                siftDown(0);
            }
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (counts[parent] <= counts[i]) {
                    return;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void siftDown(int i) {
            while (true) {
                int l = 2 * i + 1;
                if (l >= size) {
                    return;
                }
                int smallest = l + 1 < size && counts[l + 1] < counts[l] ? l + 1 : l;
                if (counts[i] <= counts[smallest]) {
                    return;
                }
                swap(i, smallest);
                i = smallest;
            }
        }

        private void swap(int i, int j) {
            K ki = keys.get(i);
            K kj = keys.get(j);
            keys.set(i, kj);
            keys.set(j, ki);
            long c = counts[i];
            counts[i] = counts[j];
            counts[j] = c;
            position.put(kj, i);
            position.put(ki, j);
        }
    }
}
