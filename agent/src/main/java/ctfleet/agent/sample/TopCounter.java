package ctfleet.agent.sample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

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
    private HashMap<K, long[]> exact = new HashMap<>(4096); // sized for a 2000-line sample: no rehash per tick
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

    /**
     * The k largest counts, largest first; ties in key order so output is deterministic. A bounded
     * heap rather than a sort of every key: a 2000-line sample has ~2000 distinct sources, and
     * sorting them all was most of a tick's CPU.
     */
    List<Counted<K>> top(int k) {
        Comparator<Counted<K>> better = Comparator.<Counted<K>>comparingLong(Counted::count)
                .thenComparing(Counted::key, tieBreak.reversed());
        PriorityQueue<Counted<K>> worstFirst = new PriorityQueue<>(k + 1, better);
        if (sketch != null) {
            for (int i = 0; i < sketch.size; i++) {
                offer(worstFirst, k, sketch.key(i), sketch.count(i), better);
            }
        } else {
            for (Map.Entry<K, long[]> e : exact.entrySet()) {
                offer(worstFirst, k, e.getKey(), e.getValue()[0], better);
            }
        }
        List<Counted<K>> top = new ArrayList<>(worstFirst);
        top.sort(better.reversed());
        return List.copyOf(top);
    }

    private static <K> void offer(PriorityQueue<Counted<K>> heap, int k, K key, long count, Comparator<Counted<K>> better) {
        if (heap.size() == k) {
            Counted<K> worst = heap.peek();
            if (count < worst.count()) {
                return; // the common case, decided without allocating
            }
            Counted<K> candidate = new Counted<>(key, count);
            if (better.compare(candidate, worst) <= 0) {
                return;
            }
            heap.poll();
            heap.add(candidate);
        } else {
            heap.add(new Counted<>(key, count));
        }
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

    /**
     * Space-Saving counters in a min-heap on count. Each counter knows its heap slot, so a swap is
     * two field writes rather than two map updates: on a full scan most lines bring a new key.
     */
    private static final class Sketch<K> {
        private static final class Node<K> {
            K key;
            long count;
            int slot;
        }

        final Node<K>[] heap;
        final HashMap<K, Node<K>> nodes;
        int size;

        @SuppressWarnings("unchecked")
        Sketch(int capacity) {
            heap = (Node<K>[]) new Node<?>[capacity];
            nodes = new HashMap<>(capacity * 2);
        }

        K key(int i) {
            return heap[i].key;
        }

        long count(int i) {
            return heap[i].count;
        }

        void seed(K key, long count) {
            Node<K> n = new Node<>();
            n.key = key;
            n.count = count;
            n.slot = size;
            heap[size] = n;
            nodes.put(key, n);
            siftUp(size++);
        }

        void add(K key) {
            Node<K> n = nodes.get(key);
            if (n != null) {
                n.count++;
                siftDown(n.slot);
            } else if (size < heap.length) {
                seed(key, 1);
            } else {
                // Evict the smallest counter; the newcomer inherits its count as possible error.
                Node<K> min = heap[0];
                nodes.remove(min.key);
                min.key = key;
                min.count++;
                nodes.put(key, min);
                siftDown(0);
            }
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent].count <= heap[i].count) {
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
                int smallest = l + 1 < size && heap[l + 1].count < heap[l].count ? l + 1 : l;
                if (heap[i].count <= heap[smallest].count) {
                    return;
                }
                swap(i, smallest);
                i = smallest;
            }
        }

        private void swap(int i, int j) {
            Node<K> a = heap[i];
            heap[i] = heap[j];
            heap[j] = a;
            heap[i].slot = i;
            heap[j].slot = j;
        }
    }
}
