package ctfleet.agent.sample;

import java.util.Arrays;

/**
 * Counts keys of three longs and finds the most frequent ones, in bounded memory: exact up to
 * {@code exactLimit} distinct keys, then a Space-Saving sketch (Metwally, Agrawal, El Abbadi 2005)
 * of {@code sketchCapacity} counters, which keeps every key whose true count exceeds
 * n / capacity and overestimates each count by at most n / capacity.
 *
 * <p>Why primitives: a full scan adds two keys per line, a quarter of a million lines per scan,
 * and with object keys the key allocation, its hashCode and the HashMap's nodes cost more than
 * parsing the line. Here the keys live in parallel long arrays of an open-addressing table.
 * Not thread-safe.
 */
final class KeyCounter {

    /** Receives a counted key; see {@link #forEach}. */
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

    /** Visits every counted key, in no order. */
    void forEach(Visitor visitor) {
        if (sketch != null) {
            for (int i = 0; i < sketch.size; i++) {
                visitor.visit(sketch.a[i], sketch.b[i], sketch.c[i], sketch.count(i));
            }
        } else {
            for (int i = 0; i < exact.count.length; i++) {
                if (exact.count[i] != 0) {
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
        for (int i = Math.max(0, n - sketchCapacity); i < n; i++) { // smallest first, as seed wants
            int slot = (int) byCount[i];
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
    }

    /**
     * Space-Saving counters in the paper's "Stream-Summary" layout: counters with equal counts
     * share a bucket, and buckets form a list in increasing count order. The smallest counter is
     * the first bucket's, and an increment moves a counter to the next bucket or bumps its own, so
     * every update is O(1). (A min-heap costs a sift from root to leaf per line on a full scan,
     * where most lines bring a new key with all counts close: that was most of the aggregation.)
     * Counters are found by key through a small linear-probing index. Arrays, not objects: -1 ends
     * a list.
     */
    private static final class Sketch {
        // Counters 0..size-1.
        final long[] a;
        final long[] b;
        final long[] c;
        final int[] hashes;
        final int[] indexSlot; // counter -> its slot in index
        final int[] bucketOf;
        final int[] nextInBucket;
        final int[] prevInBucket;
        // Buckets: at most one per counter. Free ones are chained through nextBucket.
        final long[] bucketCount;
        final int[] firstInBucket;
        final int[] nextBucket;
        final int[] prevBucket;
        final int[] index; // slot -> counter + 1; 0 when empty
        final int mask;
        int size;
        int minBucket = -1;
        int maxBucket = -1;
        int freeBucket;

        Sketch(int capacity) {
            a = new long[capacity];
            b = new long[capacity];
            c = new long[capacity];
            hashes = new int[capacity];
            indexSlot = new int[capacity];
            bucketOf = new int[capacity];
            nextInBucket = new int[capacity];
            prevInBucket = new int[capacity];
            bucketCount = new long[capacity];
            firstInBucket = new int[capacity];
            nextBucket = new int[capacity];
            prevBucket = new int[capacity];
            for (int i = 0; i < capacity; i++) {
                nextBucket[i] = i + 1 < capacity ? i + 1 : -1;
            }
            int slots = Integer.highestOneBit(capacity * 4 - 1) << 1; // load at most 1/4: short probes
            index = new int[slots];
            mask = slots - 1;
        }

        long count(int i) {
            return bucketCount[bucketOf[i]];
        }

        /** Adds a counter; seeds come in increasing count order, so each joins the last bucket. */
        void seed(long ka, long kb, long kc, long n) {
            int i = size++;
            setKey(i, ka, kb, kc, hash(ka, kb, kc));
            if (maxBucket >= 0 && bucketCount[maxBucket] == n) {
                attach(i, maxBucket);
                return;
            }
            int x = newBucket(n);
            prevBucket[x] = maxBucket;
            nextBucket[x] = -1;
            if (maxBucket >= 0) {
                nextBucket[maxBucket] = x;
            } else {
                minBucket = x;
            }
            maxBucket = x;
            attach(i, x);
        }

        void add(long ka, long kb, long kc) {
            int h = hash(ka, kb, kc);
            for (int s = h & mask; index[s] != 0; s = (s + 1) & mask) {
                int i = index[s] - 1;
                if (a[i] == ka && b[i] == kb && c[i] == kc) {
                    increment(i);
                    return;
                }
            }
            if (size < a.length) {
                addFirst(size++, ka, kb, kc, h);
                return;
            }
            // Evict a smallest counter; the newcomer inherits its count as possible error.
            int i = firstInBucket[minBucket];
            unlink(i);
            setKey(i, ka, kb, kc, h);
            increment(i);
        }

        /** A new counter at count 1, the smallest there can be. */
        private void addFirst(int i, long ka, long kb, long kc, int h) {
            setKey(i, ka, kb, kc, h);
            if (minBucket >= 0 && bucketCount[minBucket] == 1) {
                attach(i, minBucket);
                return;
            }
            int x = newBucket(1);
            prevBucket[x] = -1;
            nextBucket[x] = minBucket;
            if (minBucket >= 0) {
                prevBucket[minBucket] = x;
            } else {
                maxBucket = x;
            }
            minBucket = x;
            attach(i, x);
        }

        private void increment(int i) {
            int from = bucketOf[i];
            long n = bucketCount[from] + 1;
            int next = nextBucket[from];
            if (next >= 0 && bucketCount[next] == n) {
                detach(i);
                attach(i, next);
                if (firstInBucket[from] < 0) {
                    removeBucket(from);
                }
            } else if (firstInBucket[from] == i && nextInBucket[i] < 0) {
                bucketCount[from] = n; // alone in its bucket, and the next holds more than n
            } else {
                detach(i);
                int x = newBucket(n);
                prevBucket[x] = from;
                nextBucket[x] = next;
                if (next >= 0) {
                    prevBucket[next] = x;
                } else {
                    maxBucket = x;
                }
                nextBucket[from] = x;
                attach(i, x);
            }
        }

        private void setKey(int i, long ka, long kb, long kc, int h) {
            a[i] = ka;
            b[i] = kb;
            c[i] = kc;
            hashes[i] = h;
            int s = h & mask;
            while (index[s] != 0) {
                s = (s + 1) & mask;
            }
            index[s] = i + 1;
            indexSlot[i] = s;
        }

        /** Removes counter i from the index, shifting back the entries probed past it. */
        private void unlink(int i) {
            int hole = indexSlot[i];
            index[hole] = 0;
            for (int s = (hole + 1) & mask; index[s] != 0; s = (s + 1) & mask) {
                int q = index[s] - 1;
                int home = hashes[q] & mask;
                // q may move into the hole unless its home lies cyclically in (hole, s].
                boolean stays = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
                if (!stays) {
                    index[hole] = q + 1;
                    indexSlot[q] = hole;
                    index[s] = 0;
                    hole = s;
                }
            }
        }

        private void attach(int i, int bucket) {
            int first = firstInBucket[bucket];
            nextInBucket[i] = first;
            prevInBucket[i] = -1;
            if (first >= 0) {
                prevInBucket[first] = i;
            }
            firstInBucket[bucket] = i;
            bucketOf[i] = bucket;
        }

        private void detach(int i) {
            int prev = prevInBucket[i];
            int next = nextInBucket[i];
            if (prev < 0) {
                firstInBucket[bucketOf[i]] = next;
            } else {
                nextInBucket[prev] = next;
            }
            if (next >= 0) {
                prevInBucket[next] = prev;
            }
        }

        private int newBucket(long n) {
            int x = freeBucket;
            freeBucket = nextBucket[x];
            bucketCount[x] = n;
            firstInBucket[x] = -1;
            return x;
        }

        private void removeBucket(int x) {
            int prev = prevBucket[x];
            int next = nextBucket[x];
            if (prev < 0) {
                minBucket = next;
            } else {
                nextBucket[prev] = next;
            }
            if (next < 0) {
                maxBucket = prev;
            } else {
                prevBucket[next] = prev;
            }
            nextBucket[x] = freeBucket;
            freeBucket = x;
        }
    }
}
