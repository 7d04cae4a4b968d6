package ctfleet.agent.procfs;

/**
 * Canonical address Strings keyed by the address's value, so the same address gets the same
 * String (and one formatting, for IPv6 an RFC 5952 one) rather than a new one per line.
 * Direct-mapped and bounded: a collision replaces the slot. Not thread-safe.
 */
final class AddressCache {

    private final int v4Mask;
    private final int v6Mask;
    private final long[] v4Keys; // address + 1, so 0 marks an empty slot
    private final String[] v4Values;
    private final long[] v6Hi;
    private final long[] v6Lo;
    private final String[] v6Values;

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

    /** The canonical text of an IPv4 address (its value in {@code low}) or an IPv6 one. */
    String text(boolean ipv4, long high, long low) {
        if (ipv4) {
            int slot = mix(low) & v4Mask;
            if (v4Keys[slot] == low + 1) {
                return v4Values[slot];
            }
            String text = AddressText.formatIpv4((int) low);
            v4Keys[slot] = low + 1;
            v4Values[slot] = text;
            return text;
        }
        int slot = mix(high * 31 + low) & v6Mask;
        String cached = v6Values[slot];
        if (cached != null && v6Hi[slot] == high && v6Lo[slot] == low) {
            return cached;
        }
        String text = AddressText.formatIpv6(high, low);
        v6Hi[slot] = high;
        v6Lo[slot] = low;
        v6Values[slot] = text;
        return text;
    }

    private static int mix(long v) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32);
    }
}
