package ctfleet.server.store;

/** What became of one written sample. */
public enum WriteOutcome {
    /** New for its (host, ts): stored. */
    STORED,
    /** An exact re-send of a stored (host, ts): nothing to do. */
    DUPLICATE,
    /** Different values for a stored (host, ts): not stored, and counted on the host. */
    CONFLICT
}
