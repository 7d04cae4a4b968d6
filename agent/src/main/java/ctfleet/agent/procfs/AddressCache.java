package ctfleet.agent.procfs;

/**
 * Canonical address Strings keyed by the address's value, so a line's addresses cost one parse
 * pass and an integer compare instead of a String allocation (and, for IPv6, an RFC 5952
 * formatting) each. Direct-mapped and bounded: a collision replaces the slot. Not thread-safe.
 */
final class AddressCache {

    private final int v4Mask;
    private final int v6Mask;
    private final long[] v4Keys; // address + 1, so 0 marks an empty slot
    private final String[] v4Values;
    private final long[] v6Hi;
    private final long[] v6Lo;
    private final String[] v6Values;
    private final int[] groups = new int[8];

    /** Slot counts are powers of two; about 12 bytes per IPv4 slot and 20 per IPv6 slot. */
    AddressCache(int v4Slots, int v6Slots) {
        if (Integer.bitCount(v4Slots) != 1 || Integer.bitCount(v6Slots) != 1) {
            throw new IllegalArgumentException("slot counts must be powers of two");
        }
        v4Mask = v4Slots - 1;
        v6Mask = v6Slots - 1;
        v4Keys = new long[v4Slots];
        v4Values = new String[v4Slots];
        v6Hi = new long[v6Slots];
        v6Lo = new long[v6Slots];
        v6Values = new String[v6Slots];
    }

    /** The canonical text of the address in b[s, e), or null when it is neither IPv4 nor IPv6. */
    String address(byte[] b, int s, int e) {
        long v4 = AddressText.parseIpv4(b, s, e);
        if (v4 >= 0) {
            int slot = mix(v4) & v4Mask;
            if (v4Keys[slot] == v4 + 1) {
                return v4Values[slot];
            }
            String text = AddressText.formatIpv4((int) v4);
            v4Keys[slot] = v4 + 1;
            v4Values[slot] = text;
            return text;
        }
        if (!AddressText.parseIpv6(b, s, e, groups)) {
            return null;
        }
        long hi = ((long) groups[0] << 48) | ((long) groups[1] << 32) | ((long) groups[2] << 16) | groups[3];
        long lo = ((long) groups[4] << 48) | ((long) groups[5] << 32) | ((long) groups[6] << 16) | groups[7];
        int slot = mix(hi * 31 + lo) & v6Mask;
        String cached = v6Values[slot];
        if (cached != null && v6Hi[slot] == hi && v6Lo[slot] == lo) {
            return cached;
        }
        String text = AddressText.format(groups);
        v6Hi[slot] = hi;
        v6Lo[slot] = lo;
        v6Values[slot] = text;
        return text;
    }

    private static int mix(long v) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32);
    }
}
