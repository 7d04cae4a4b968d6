package ctfleet.server.fleet;

import java.time.Instant;

/** One observation of the table: {@code nf_conntrack_count} and {@code nf_conntrack_max} at {@code ts}. */
public record CountPoint(Instant ts, long count, long max) {}
