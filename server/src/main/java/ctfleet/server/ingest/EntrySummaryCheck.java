package ctfleet.server.ingest;

import ctfleet.proto.v1.Endpoint;
import ctfleet.proto.v1.EntrySummary;
import ctfleet.proto.v1.StateCount;
import java.util.List;

/**
 * Bounds on a sample's entry summary before it becomes stored JSON text: its lists and strings are
 * the only parts of a sample whose size the agent chooses freely (the message size limit alone
 * would let one sample store a megabyte of text per row).
 */
final class EntrySummaryCheck {
    static final int MAX_STATES = 128;
    static final int MAX_ENDPOINTS = 64;
    static final int MAX_RAW_ENTRIES = 32;
    static final int MAX_RAW_ENTRY = 512;
    static final int MAX_WORD = 32;
    static final int MAX_ADDRESS = 64;

    private EntrySummaryCheck() {}

    static void check(String where, EntrySummary e) throws InvalidInput {
        String at = where + ".entries";
        nonNegative(at + ".assured", e.getAssured());
        nonNegative(at + ".unreplied", e.getUnreplied());
        count(at + ".states", e.getStatesCount(), MAX_STATES);
        for (StateCount s : e.getStatesList()) {
            word(at + ".states.family", s.getFamily());
            word(at + ".states.protocol", s.getProtocol());
            word(at + ".states.state", s.getState());
            nonNegative(at + ".states.sampled", s.getSampled());
        }
        count(at + ".unreplied_by_protocol", e.getUnrepliedByProtocolCount(), MAX_STATES);
        for (var u : e.getUnrepliedByProtocolMap().entrySet()) {
            word(at + ".unreplied_by_protocol", u.getKey());
            nonNegative(at + ".unreplied_by_protocol['" + u.getKey() + "']", u.getValue());
        }
        endpoints(at + ".top_destinations", e.getTopDestinationsList());
        endpoints(at + ".top_sources", e.getTopSourcesList());
        count(at + ".raw_entries", e.getRawEntriesCount(), MAX_RAW_ENTRIES);
        for (String raw : e.getRawEntriesList()) {
            if (raw.length() > MAX_RAW_ENTRY) {
                throw new InvalidInput(at + ".raw_entries: an entry longer than " + MAX_RAW_ENTRY + " characters");
            }
        }
    }

    private static void endpoints(String at, List<Endpoint> list) throws InvalidInput {
        count(at, list.size(), MAX_ENDPOINTS);
        for (Endpoint p : list) {
            if (p.getAddress().length() > MAX_ADDRESS) {
                throw new InvalidInput(at + ".address: longer than " + MAX_ADDRESS + " characters");
            }
            if (p.getPort() > 65535) {
                throw new InvalidInput(at + ".port: " + Integer.toUnsignedString(p.getPort()) + " is above 65535");
            }
            word(at + ".protocol", p.getProtocol());
            nonNegative(at + ".sampled", p.getSampled());
        }
    }

    private static void count(String field, int n, int max) throws InvalidInput {
        if (n > max) {
            throw new InvalidInput(field + ": " + n + " items, at most " + max);
        }
    }

    private static void word(String field, String v) throws InvalidInput {
        if (v.length() > MAX_WORD) {
            throw new InvalidInput(field + ": longer than " + MAX_WORD + " characters");
        }
    }

    /** uint64 on the wire: a Java long below zero is a count above 2^63, which no table holds. */
    private static void nonNegative(String field, long v) throws InvalidInput {
        if (v < 0) {
            throw new InvalidInput(field + ": " + Long.toUnsignedString(v) + " is out of range");
        }
    }
}
