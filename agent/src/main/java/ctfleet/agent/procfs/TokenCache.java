package ctfleet.agent.procfs;

import java.util.Arrays;

/**
 * A small direct-mapped cache from the raw bytes of a token to its String, so the parser hands out
 * the same String for the same name or address instead of allocating (and, for IPv6,
 * re-canonicalising) it on every line. A conntrack table repeats a handful of protocol and state
 * names and, typically, a few local addresses on nearly every line.
 *
 * <p>Bounded by construction: a colliding token simply replaces the slot, so garbage input cannot
 * grow it. Not thread-safe; each parser owns its caches.
 */
final class TokenCache {

    private final byte[][] keys;
    private final String[] values;
    private final int mask;

    TokenCache(int slotsPowerOfTwo) {
        if (Integer.bitCount(slotsPowerOfTwo) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slotsPowerOfTwo);
        }
        keys = new byte[slotsPowerOfTwo][];
        values = new String[slotsPowerOfTwo];
        mask = slotsPowerOfTwo - 1;
    }

    static int hash(byte[] b, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }

    /** The cached String for b[start, end), or null on a miss. */
    String get(byte[] b, int start, int end, int hash) {
        int slot = spread(hash) & mask;
        byte[] k = keys[slot];
        if (k == null || k.length != end - start) {
            return null;
        }
        // A plain loop: for tokens this short, Arrays.equals' vectorised mismatch costs more.
        for (int i = 0; i < k.length; i++) {
            if (k[i] != b[start + i]) {
                return null;
            }
        }
        return values[slot];
    }

    void put(byte[] b, int start, int end, int hash, String value) {
        int slot = spread(hash) & mask;
        keys[slot] = Arrays.copyOfRange(b, start, end);
        values[slot] = value;
    }

    void put(String token, String value) {
        byte[] b = token.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        put(b, 0, b.length, hash(b, 0, b.length), value);
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
