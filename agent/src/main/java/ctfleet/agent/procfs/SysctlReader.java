package ctfleet.agent.procfs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** Reads the {@code net.netfilter.nf_conntrack_*} sysctls under a {@link ProcRoot}. */
public final class SysctlReader {
    private static final String PREFIX = "nf_conntrack_";
    private final ProcRoot root;

    public SysctlReader(ProcRoot root) {
        this.root = root;
    }

    /** Empty when {@code nf_conntrack_count} does not exist: the module is not loaded. */
    public Optional<Limits> limits() throws IOException {
        Optional<Long> count = unsigned32("nf_conntrack_count");
        if (count.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Limits(
                count.get(),
                unsigned32("nf_conntrack_max").orElse(0L),
                unsigned32("nf_conntrack_buckets").orElse(0L),
                unsigned32("nf_conntrack_expect_max").orElse(0L),
                number("nf_conntrack_acct").orElse(0L).intValue()));
    }

    /**
     * Every {@code nf_conntrack_*timeout*} sysctl, keyed by name without the prefix, sorted. A negative
     * one is left out: older kernels accept any int there, a timeout below zero means nothing, and the
     * server refuses a whole sample holding one.
     */
    public SortedMap<String, Long> timeouts() throws IOException {
        SortedMap<String, Long> out = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root.netfilterDir(), PREFIX + "*timeout*")) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                parse(ProcRoot.readSmall(p)).filter(v -> v >= 0).ifPresent(v -> out.put(name.substring(PREFIX.length()), v));
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    /**
     * A sysctl the kernel keeps as an unsigned int. Older kernels read and write it with
     * proc_dointvec, so {@code echo -1 > nf_conntrack_max} is accepted and reads back as -1 while the
     * kernel compares against 4294967295 (in effect no limit): a negative value is that unsigned one.
     */
    private Optional<Long> unsigned32(String sysctl) throws IOException {
        return number(sysctl).map(v -> v < 0 && v >= Integer.MIN_VALUE ? v & 0xffffffffL : v);
    }

    private Optional<Long> number(String sysctl) throws IOException {
        return parse(ProcRoot.readSmall(root.netfilter(sysctl)));
    }

    private static Optional<Long> parse(Optional<String> text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(text.get().trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
