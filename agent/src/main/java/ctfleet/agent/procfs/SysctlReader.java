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
    /**
     * IPv6 reassembly (nf_conntrack_reasm.c) registers nf_conntrack_frag6_timeout under the same
     * prefix, but it is how long a fragment queue waits, not an entry's lifetime: sent as a timeout
     * it would enter the server's entry-lifetime and timeout advice.
     */
    private static final String FRAG6 = PREFIX + "frag6_";
    private static final java.util.regex.Pattern INTEGER = java.util.regex.Pattern.compile("-?[0-9]+");
    private final ProcRoot root;

    public SysctlReader(ProcRoot root) {
        this.root = root;
    }

    /**
     * Empty when {@code nf_conntrack_count} does not exist: the module is not loaded.
     *
     * @throws IOException naming the file when one of them is there but holds no number
     */
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
                acct()));
    }

    /**
     * Every {@code nf_conntrack_*timeout*} sysctl of a conntrack entry, keyed by name without the
     * prefix, sorted ({@code frag6_timeout} is IPv6 defragmentation's, not an entry's). A negative
     * one is left out: older kernels accept any int there, a timeout below zero means nothing, and the
     * server refuses a whole sample holding one.
     */
    public SortedMap<String, Long> timeouts() throws IOException {
        SortedMap<String, Long> out = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root.netfilterDir(), PREFIX + "*timeout*")) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.startsWith(FRAG6)) {
                    continue;
                }
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
        Optional<Long> v = number(sysctl);
        if (v.isPresent() && (v.get() < Integer.MIN_VALUE || v.get() > 0xffffffffL)) {
            throw notANumber(sysctl, "is out of range for a 32-bit sysctl", String.valueOf(v.get()));
        }
        return v.map(n -> n & 0xffffffffL);
    }

    /**
     * nf_conntrack_acct as the kernel uses it: any value but 0 turns accounting on. Old kernels keep
     * it as an int, so a copy may hold more than fits one; it is not cut to its low bits
     * (4294967296 would read as 0, off).
     */
    private int acct() throws IOException {
        Optional<String> text = ProcRoot.readSmall(root.netfilter("nf_conntrack_acct"));
        if (text.isEmpty()) {
            return 0;
        }
        String t = text.get().trim();
        if (!INTEGER.matcher(t).matches()) {
            throw notANumber("nf_conntrack_acct", "is not a number", t);
        }
        return t.chars().anyMatch(c -> c >= '1' && c <= '9') ? 1 : 0;
    }

    /**
     * A present sysctl that is not a number fails the tick, like an unreadable file: inventing a
     * value would mislead (a max of 0 reads as "no limit", a missing count as "not loaded").
     */
    private Optional<Long> number(String sysctl) throws IOException {
        Optional<String> text = ProcRoot.readSmall(root.netfilter(sysctl));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<Long> v = parse(text);
        if (v.isEmpty()) {
            throw notANumber(sysctl, "is not a number", text.get().trim());
        }
        return v;
    }

    private IOException notANumber(String sysctl, String why, String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return new IOException(root.netfilter(sysctl) + ": '" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "' " + why);
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
