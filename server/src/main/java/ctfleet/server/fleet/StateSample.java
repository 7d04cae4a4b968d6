package ctfleet.server.fleet;

import java.util.List;
import java.util.Map;

/**
 * The table's makeup: entries by (family, protocol, state) and {@code [UNREPLIED]} entries by protocol.
 * Unreplied entries are also counted in {@link #states()} (a TCP SYN_SENT is both).
 */
public record StateSample(List<StateCount> states, Map<String, Long> unrepliedByProtocol) {
    /** No breakdown: the agent sent none (unprivileged, sampling off) or the host was imported. */
    public static final StateSample NONE = new StateSample(List.of(), Map.of());

    public StateSample {
        states = List.copyOf(states);
        unrepliedByProtocol = Map.copyOf(unrepliedByProtocol);
    }

    public long total() {
        long t = 0;
        for (StateCount s : states) {
            t += s.count();
        }
        return t;
    }

    /** Entries in a TCP state across both families. */
    public long tcp(String state) {
        long t = 0;
        for (StateCount s : states) {
            if (s.protocol().equals("tcp") && s.state().equals(state)) {
                t += s.count();
            }
        }
        return t;
    }

    public long unreplied() {
        long t = 0;
        for (long v : unrepliedByProtocol.values()) {
            t += v;
        }
        return t;
    }
}
