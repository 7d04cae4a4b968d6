package ctfleet.agent.sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Entries per (family, protocol, state), and per state how many were unreplied. One lookup per
 * line serves both counts and gives the protocol's small number for the destination keys.
 *
 * <p>Why not a HashMap of records: consecutive lines of the kernel's hash order rarely share a
 * state, and a lookup key per line plus its three String hashes was a visible part of a full
 * scan. The parser hands out the same String for the same name, so a reference compare usually
 * decides; equals is the fallback for a name its cache had to re-create. Not thread-safe.
 */
final class StateCounts {

    /**
     * Distinct (family, protocol, state) kept: the server refuses a whole sample with more
     * (EntrySummaryCheck.MAX_STATES). A kernel prints fewer than 80 (2 families x tcp's 10, sctp's
     * 10, dccp's 10 states and the stateless protocols), so more means lines that are not a kernel's.
     */
    static final int MAX = 128;

    /** One (family, protocol, state) and its counts. */
    static final class Counter {
        final String family;
        final String protocol;
        final String state;
        /** The protocol's number in this table's order of first appearance, for compact keys. */
        final int protocolId;
        long count;
        long unreplied;

        Counter(String family, String protocol, String state, int protocolId) {
            this.family = family;
            this.protocol = protocol;
            this.state = state;
            this.protocolId = protocolId;
        }
    }

    private final List<Counter> all = new ArrayList<>();
    private final List<String> protocols = new ArrayList<>();
    private final Map<String, Integer> protocolIds = new HashMap<>();
    private Counter[] slots = new Counter[64];

    /**
     * The counter of this combination, created at zero on first sight; null when it is new and
     * {@link #MAX} combinations are already counted.
     */
    Counter get(String family, String protocol, String state) {
        int mask = slots.length - 1;
        int i = hash(family, protocol, state) & mask;
        for (Counter c = slots[i]; c != null; c = slots[i = (i + 1) & mask]) {
            if (same(c.family, family) && same(c.protocol, protocol) && same(c.state, state)) {
                return c;
            }
        }
        if (all.size() >= MAX) {
            return null;
        }
        Counter c = new Counter(family, protocol, state, protocolId(protocol));
        all.add(c);
        if (all.size() * 2 > slots.length) {
            rehash(slots.length * 2);
        } else {
            slots[i] = c;
        }
        return c;
    }

    List<Counter> all() {
        return all;
    }

    String protocol(int id) {
        return protocols.get(id);
    }

    private int protocolId(String protocol) {
        return protocolIds.computeIfAbsent(protocol, p -> {
            protocols.add(p);
            return protocols.size() - 1;
        });
    }

    private static int hash(String family, String protocol, String state) {
        return family.hashCode() * 961 + protocol.hashCode() * 31 + state.hashCode();
    }

    private void rehash(int size) {
        slots = new Counter[size];
        int mask = size - 1;
        for (Counter c : all) {
            int i = hash(c.family, c.protocol, c.state) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = c;
        }
    }

    private static boolean same(String a, String b) {
        return a == b || a.equals(b);
    }
}
