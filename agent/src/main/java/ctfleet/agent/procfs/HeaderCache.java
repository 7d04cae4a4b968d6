package ctfleet.agent.procfs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The first four fields of recent lines ({@code "ipv4     2 udp      17 "}, family and protocol
 * padded by the kernel's {@code %-8s}), keyed by their exact bytes up to and including the blank
 * after the protocol number. A table has a handful of such headers and repeats them on every
 * line, so comparing up to four 8-byte words replaces two name lookups and two numbers. The same
 * bytes parse to the same fields, so a hit changes no result. Direct-mapped on the first 16 bytes;
 * a collision replaces the slot. Not thread-safe.
 */
final class HeaderCache {

    /** Headers longer than this (none the kernel prints) are not cached. */
    static final int MAX_LENGTH = 32;
    /** Shorter ones are not either: the slot is chosen from the first 16 bytes. */
    static final int MIN_LENGTH = 16;
    private static final int SLOTS = 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long[] words = new long[SLOTS * 4]; // masked to the header's length
    private final int[] lengths = new int[SLOTS]; // 0: empty
    private final String[] families = new String[SLOTS];
    private final String[] protocols = new String[SLOTS];
    private final int[] l3nums = new int[SLOTS];
    private final int[] protonums = new int[SLOTS];

    /** The slot whose header starts b[off, end), or -1. */
    int find(byte[] b, int off, int end) {
        if (off + MAX_LENGTH > b.length) {
            return -1; // near the buffer's end the words cannot be loaded; the parser reads the fields
        }
        long w0 = word(b, off);
        long w1 = word(b, off + 8);
        int slot = slot(w0, w1);
        int len = lengths[slot];
        if (len == 0 || len > end - off) {
            return -1;
        }
        int k = slot * 4;
        return w0 == words[k] && w1 == words[k + 1]
                && (word(b, off + 16) & mask(len - 16)) == words[k + 2]
                && (word(b, off + 24) & mask(len - 24)) == words[k + 3] ? slot : -1;
    }

    /** Remembers the header b[off, off + len), which ends with a blank, and what it parsed to. */
    void put(byte[] b, int off, int len, String family, int l3num, String protocol, int protonum) {
        if (len < MIN_LENGTH || len > MAX_LENGTH || off + MAX_LENGTH > b.length) {
            return;
        }
        long w0 = word(b, off);
        long w1 = word(b, off + 8);
        int slot = slot(w0, w1);
        int k = slot * 4;
        words[k] = w0;
        words[k + 1] = w1;
        words[k + 2] = word(b, off + 16) & mask(len - 16);
        words[k + 3] = word(b, off + 24) & mask(len - 24);
        lengths[slot] = len;
        families[slot] = family;
        protocols[slot] = protocol;
        l3nums[slot] = l3num;
        protonums[slot] = protonum;
    }

    int length(int slot) {
        return lengths[slot];
    }

    String family(int slot) {
        return families[slot];
    }

    String protocol(int slot) {
        return protocols[slot];
    }

    int l3num(int slot) {
        return l3nums[slot];
    }

    int protonum(int slot) {
        return protonums[slot];
    }

    private static long word(byte[] b, int i) {
        return (long) LONGS.get(b, i);
    }

    /** Keeps the first n bytes of a word (all for n >= 8, none for n <= 0). */
    private static long mask(int n) {
        return n >= 8 ? -1L : n <= 0 ? 0 : (1L << (8 * n)) - 1;
    }

    private static int slot(long w0, long w1) {
        long h = (w0 * 0x9E3779B97F4A7C15L) ^ (w1 * 0xC2B2AE3D27D4EB4FL);
        return (int) (h >>> 60) & (SLOTS - 1);
    }
}
