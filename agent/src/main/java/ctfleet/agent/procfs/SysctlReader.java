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
        Optional<Long> count = number("nf_conntrack_count");
        if (count.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Limits(
                count.get(),
                number("nf_conntrack_max").orElse(0L),
                number("nf_conntrack_buckets").orElse(0L),
                number("nf_conntrack_expect_max").orElse(0L),
                number("nf_conntrack_acct").orElse(0L).intValue()));
    }

    /** Every {@code nf_conntrack_*timeout*} sysctl, keyed by name without the prefix, sorted. */
    public SortedMap<String, Long> timeouts() throws IOException {
        SortedMap<String, Long> out = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root.netfilterDir(), PREFIX + "*timeout*")) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                parse(ProcRoot.readSmall(p)).ifPresent(v -> out.put(name.substring(PREFIX.length()), v));
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
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
