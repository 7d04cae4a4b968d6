package ctfleet.agent.sample;

import java.util.Arrays;

/**
 * Counts keys of three longs and finds the most frequent ones, in bounded memory: the same
 * algorithm as {@link TopCounter} (exact up to {@code exactLimit} distinct keys, then a Space-Saving
 * sketch of {@code sketchCapacity} counters), on primitive keys.
 *
 * <p>Why primitives: a full scan adds two keys per line, a quarter of a million lines per scan,
 * and with object keys the key allocation, its hashCode and the HashMap's nodes cost more than
 * parsing the line. Here the keys live in parallel long arrays of an open-addressing table.
 * Not thread-safe.
 */
final class KeyCounter {

    /** Receives a counted key; see {@link #forEachTop}. */
    @FunctionalInterface
    interface Visitor {
        void visit(long a, long b, long c, long count);
    }

    /** Sized for a 2000-line sample without growing; doubles up to what exactLimit needs. */
    private static final int INITIAL_SLOTS = 4096;

    private final int exactLimit;
    private final int sketchCapacity;
    private Table exact = new Table(INITIAL_SLOTS);
    private Sketch sketch;

    KeyCounter(int exactLimit, int sketchCapacity) {
        if (sketchCapacity < 1 || exactLimit < sketchCapacity) {
            throw new IllegalArgumentException("need 1 <= sketchCapacity <= exactLimit");
        }
        this.exactLimit = exactLimit;
        this.sketchCapacity = sketchCapacity;
    }

    void add(long a, long b, long c) {
        if (sketch != null) {
            sketch.add(a, b, c);
            return;
        }
        int h = hash(a, b, c);
        int slot = exact.find(a, b, c, h);
        if (exact.count[slot] != 0) {
            exact.count[slot]++;
            return;
        }
        exact.put(slot, a, b, c, 1);
        if (exact.size > exactLimit) {
            switchToSketch();
        } else if (exact.size * 2 > exact.count.length) {
            exact = exact.grown();
        }
    }

    boolean approximate() {
        return sketch != null;
    }

    /**
     * Visits every key whose count is at least the k-th largest count, in no order: the caller
     * breaks ties by its own key order (for addresses, their text), which only it can compute.
     */
    void forEachTop(int k, Visitor visitor) {
        long[] counts = sketch != null ? Arrays.copyOf(sketch.count, sketch.size) : exact.nonZeroCounts();
        if (counts.length == 0) {
            return;
        }
        Arrays.sort(counts);
        long threshold = counts[Math.max(0, counts.length - k)];
        if (sketch != null) {
            for (int i = 0; i < sketch.size; i++) {
                if (sketch.count[i] >= threshold) {
                    visitor.visit(sketch.a[i], sketch.b[i], sketch.c[i], sketch.count[i]);
                }
            }
        } else {
            for (int i = 0; i < exact.count.length; i++) {
                if (exact.count[i] >= threshold) {
                    visitor.visit(exact.a[i], exact.b[i], exact.c[i], exact.count[i]);
                }
            }
        }
    }

    /**
     * Seeds the sketch with the largest exact counts. A dropped key's true count is at most the
     * smallest kept one, which is exactly what Space-Saving assumes of an evicted key, so the error
     * bound still holds.
     */
    private void switchToSketch() {
        Table t = exact;
        long[] byCount = new long[t.size]; // count in the high bits, slot in the low 32: one primitive sort
        int n = 0;
        for (int i = 0; i < t.count.length; i++) {
            if (t.count[i] != 0) {
                byCount[n++] = (t.count[i] << 32) | i;
            }
        }
        Arrays.sort(byCount);
        sketch = new Sketch(sketchCapacity);
        for (int i = 0; i < Math.min(sketchCapacity, n); i++) {
            int slot = (int) byCount[n - 1 - i];
            sketch.seed(t.a[slot], t.b[slot], t.c[slot], t.count[slot]);
        }
        exact = null;
    }

    static int hash(long a, long b, long c) {
        long h = (a * 0x9E3779B97F4A7C15L + b) * 0xC2B2AE3D27D4EB4FL + c;
        h ^= h >>> 29;
        h *= 0x94D049BB133111EBL;
        return (int) (h ^ (h >>> 32));
    }

    /** Linear probing over parallel arrays; a zero count marks an empty slot. */
    private static final class Table {
        final long[] a;
        final long[] b;
        final long[] c;
        final long[] count;
        final int mask;
        int size;

        Table(int slots) {
            a = new long[slots];
            b = new long[slots];
            c = new long[slots];
            count = new long[slots];
            mask = slots - 1;
        }

        /** The key's slot, or the empty slot where it belongs. */
        int find(long ka, long kb, long kc, int hash) {
            int i = hash & mask;
            while (count[i] != 0 && (a[i] != ka || b[i] != kb || c[i] != kc)) {
                i = (i + 1) & mask;
            }
            return i;
        }

        void put(int slot, long ka, long kb, long kc, long n) {
            a[slot] = ka;
            b[slot] = kb;
            c[slot] = kc;
            count[slot] = n;
            size++;
        }

        Table grown() {
            Table t = new Table(count.length * 2);
            for (int i = 0; i < count.length; i++) {
                if (count[i] != 0) {
                    t.put(t.find(a[i], b[i], c[i], hash(a[i], b[i], c[i])), a[i], b[i], c[i], count[i]);
                }
            }
            return t;
        }

        long[] nonZeroCounts() {
            long[] out = new long[size];
            int n = 0;
            for (long x : count) {
                if (x != 0) {
                    out[n++] = x;
                }
            }
            return out;
        }
    }

    /**
     * Space-Saving counters in a min-heap on count (arrays indexed by heap position), found by key
     * through a small linear-probing index of heap positions. On a full scan most lines bring a
     * key the sketch does not hold, so the common step is: evict the root, re-index, sift down.
     */
    private static final class Sketch {
        final long[] a;
        final long[] b;
        final long[] c;
        final long[] count;
        final int[] hashes;
        final int[] indexSlot; // heap position -> its slot in index
        final int[] index; // slot -> heap position + 1; 0 when empty
        final int mask;
        int size;

        Sketch(int capacity) {
            a = new long[capacity];
            b = new long[capacity];
            c = new long[capacity];
            count = new long[capacity];
            hashes = new int[capacity];
            indexSlot = new int[capacity];
            int slots = Integer.highestOneBit(capacity * 4 - 1) << 1; // load at most 1/4: short probes
            index = new int[slots];
            mask = slots - 1;
        }

        void seed(long ka, long kb, long kc, long n) {
            int p = size++;
            a[p] = ka;
            b[p] = kb;
            c[p] = kc;
            count[p] = n;
            hashes[p] = hash(ka, kb, kc);
            link(p);
            siftUp(p);
        }

        void add(long ka, long kb, long kc) {
            int h = hash(ka, kb, kc);
            for (int i = h & mask; index[i] != 0; i = (i + 1) & mask) {
                int p = index[i] - 1;
                if (a[p] == ka && b[p] == kb && c[p] == kc) {
                    count[p]++;
                    siftDown(p);
                    return;
                }
            }
            if (size < count.length) {
                seed(ka, kb, kc, 1);
                return;
            }
            // Evict the smallest counter; the newcomer inherits its count as possible error.
            unlink(0);
            a[0] = ka;
            b[0] = kb;
            c[0] = kc;
            hashes[0] = h;
            count[0]++;
            link(0);
            siftDown(0);
        }

        private void link(int p) {
            int i = hashes[p] & mask;
            while (index[i] != 0) {
                i = (i + 1) & mask;
            }
            index[i] = p + 1;
            indexSlot[p] = i;
        }

        /** Removes heap position p from the index, shifting back the entries probed past it. */
        private void unlink(int p) {
            int hole = indexSlot[p];
            index[hole] = 0;
            for (int i = (hole + 1) & mask; index[i] != 0; i = (i + 1) & mask) {
                int q = index[i] - 1;
                int home = hashes[q] & mask;
                // q may move into the hole unless its home lies cyclically in (hole, i].
                boolean stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
                if (!stays) {
                    index[hole] = q + 1;
                    indexSlot[q] = hole;
                    index[i] = 0;
                    hole = i;
                }
            }
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (count[parent] <= count[i]) {
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
                int smallest = l + 1 < size && count[l + 1] < count[l] ? l + 1 : l;
                if (count[i] <= count[smallest]) {
                    return;
                }
                swap(i, smallest);
                i = smallest;
            }
        }

        private void swap(int i, int j) {
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
            t = b[i];
            b[i] = b[j];
            b[j] = t;
            t = c[i];
            c[i] = c[j];
            c[j] = t;
            t = count[i];
            count[i] = count[j];
            count[j] = t;
            int h = hashes[i];
            hashes[i] = hashes[j];
            hashes[j] = h;
            int si = indexSlot[i];
            int sj = indexSlot[j];
            indexSlot[i] = sj;
            indexSlot[j] = si;
            index[sj] = i + 1;
            index[si] = j + 1;
        }
    }
}
