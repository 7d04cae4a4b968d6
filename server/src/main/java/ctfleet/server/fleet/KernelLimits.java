package ctfleet.server.fleet;

/**
 * The largest table and hash a kernel accepts, so no plan asks for more (a plan of 2^35 entries is
 * not advice, it is an error message from sysctl).
 *
 * <ul>
 *   <li>{@code nf_conntrack_max} is an {@code int} sysctl: net/netfilter/nf_conntrack_standalone.c
 *       registers it with {@code .maxlen = sizeof(int)} and, since commit 8b6861390ffe
 *       ("netfilter: conntrack: Bound nf_conntrack sysctl writes", Linux 6.15, backported to
 *       stable), {@code proc_dointvec_minmax} with {@code extra1 = SYSCTL_ZERO, extra2 =
 *       SYSCTL_INT_MAX}. Older kernels used plain {@code proc_dointvec}, which refuses values
 *       above INT_MAX as well. The largest power of two that fits is 2^30.
 *   <li>The hash size (the {@code hashsize} module parameter, or the {@code nf_conntrack_buckets}
 *       sysctl) goes through {@code nf_ct_alloc_hashtable()} in nf_conntrack_core.c, which
 *       returns NULL (and the write fails with ENOMEM) when the size, or the size rounded up to a
 *       page of 8-byte {@code hlist_nulls_head}s, exceeds {@code INT_MAX / sizeof(struct
 *       hlist_nulls_head)} = 268,435,455 slots: commit b541ba7d1f5a ("netfilter: conntrack: clamp
 *       maximum hashtable size to INT_MAX", Linux 6.13, CVE-2025-21648). Before it the bound was
 *       UINT_MAX / 8, but kvmalloc() refused any allocation above INT_MAX bytes anyway. The
 *       largest power of two that fits is 2^27.
 * </ul>
 */
public final class KernelLimits {
    /** The largest power of two nf_conntrack_max accepts (its bound is INT_MAX). */
    public static final long MAX_CONNTRACK_MAX = 1L << 30;
    /** The largest power of two the hash table accepts (its bound is INT_MAX / 8 slots). */
    public static final long MAX_BUCKETS = 1L << 27;

    private KernelLimits() {}
}
