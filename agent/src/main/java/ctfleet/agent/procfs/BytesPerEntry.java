package ctfleet.agent.procfs;

/**
 * Kernel memory one conntrack entry takes: the {@code nf_conntrack} slab's object size, or
 * {@link Slabinfo#ESTIMATED_BYTES_PER_ENTRY} flagged {@code estimated} when slabinfo was unreadable.
 */
public record BytesPerEntry(long bytes, boolean estimated) {
}
