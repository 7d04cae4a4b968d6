package ctfleet.agent.procfs;

/**
 * The size of a host's table: {@code nf_conntrack_count}, {@code _max} (0 = no limit),
 * {@code _buckets}, {@code _expect_max}, and {@code _acct} (1 when entries carry packets/bytes).
 */
public record Limits(long count, long max, long buckets, long expectMax, int acct) {}
