package ctfleet.agent.procfs;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Finds the object size of the conntrack slab cache in {@code /proc/slabinfo} text (version 2.x):
 * {@code nf_conntrack <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : ...}.
 * Pure: reading the file (root only, mode 0400) is the caller's job.
 */
public final class Slabinfo {

    /**
     * Used when slabinfo is unreadable (not root). {@code struct nf_conn} is allocated with
     * SLAB_HWCACHE_ALIGN, so its slab object is a multiple of 64 bytes: 256 on this project's
     * reference kernel (Linux 6.18 x86_64, {@code grep nf_conntrack /proc/slabinfo}); kernels that
     * still had a timer_list in every entry commonly reported 320, and config options (zones, mark,
     * secmark, lock debugging) move it by a cache line either way. It excludes the separately
     * allocated extension area (acct, timestamp, labels) and the hash bucket, so it is a floor for
     * capacity planning, not a ceiling.
     */
    public static final long ESTIMATED_BYTES_PER_ENTRY = 256;

    private Slabinfo() {
    }

    /** The nf_conntrack object size in bytes, or empty when the cache is not listed or the line is bad. */
    public static OptionalLong conntrackObjectSize(String slabinfo) {
        int i = 0;
        int n = slabinfo.length();
        while (i < n) {
            int eol = slabinfo.indexOf('\n', i);
            if (eol < 0) {
                eol = n;
            }
            OptionalLong size = objectSize(slabinfo.substring(i, eol));
            if (size.isPresent()) {
                return size;
            }
            i = eol + 1;
        }
        return OptionalLong.empty();
    }

    /** The measured size when slabinfo text is present and lists the cache, else the estimate. */
    public static BytesPerEntry bytesPerEntry(Optional<String> slabinfo) {
        OptionalLong size = slabinfo.map(Slabinfo::conntrackObjectSize).orElse(OptionalLong.empty());
        return size.isPresent()
                ? new BytesPerEntry(size.getAsLong(), false)
                : new BytesPerEntry(ESTIMATED_BYTES_PER_ENTRY, true);
    }

    private static OptionalLong objectSize(String line) {
        if (!line.startsWith("nf_conntrack")) {
            return OptionalLong.empty(); // cheap reject: slabinfo has ~200 lines, read every tick
        }
        String[] cols = line.trim().split("\\s+");
        if (cols.length < 4 || !isConntrackCache(cols[0])) {
            return OptionalLong.empty();
        }
        try {
            long size = Long.parseLong(cols[3]);
            return size > 0 ? OptionalLong.of(size) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * "nf_conntrack", or on old kernels (before 4.x) one cache per network namespace named
     * "nf_conntrack_" plus the namespace's address in hex; never "nf_conntrack_expect".
     */
    private static boolean isConntrackCache(String name) {
        if (name.equals("nf_conntrack")) {
            return true;
        }
        String prefix = "nf_conntrack_";
        if (!name.startsWith(prefix) || name.length() == prefix.length()) {
            return false;
        }
        for (int i = prefix.length(); i < name.length(); i++) {
            if (Character.digit(name.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
