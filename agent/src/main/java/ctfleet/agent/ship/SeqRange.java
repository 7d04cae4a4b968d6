package ctfleet.agent.ship;

/** Spool sequence numbers {@code from..to}, both included. */
record SeqRange(long from, long to) {
    long size() {
        return Math.max(0, to - from + 1);
    }

    /** How many of these seqs are above {@code seq}. */
    long countAbove(long seq) {
        return Math.max(0, to - Math.max(from - 1, seq));
    }
}
