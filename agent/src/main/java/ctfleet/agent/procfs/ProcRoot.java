package ctfleet.agent.procfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A procfs root: {@code /proc} on a host, or a copy of it in tests (same idea as node_exporter's
 * {@code --path.procfs}). Knows where each conntrack file lives; reading is separate from parsing.
 */
public record ProcRoot(Path dir) {

    public static ProcRoot system() {
        return new ProcRoot(Path.of("/proc"));
    }

    public Path netfilter(String sysctl) {
        return dir.resolve("sys/net/netfilter").resolve(sysctl);
    }

    public Path netfilterDir() {
        return dir.resolve("sys/net/netfilter");
    }

    public Path statTable() {
        return dir.resolve("net/stat/nf_conntrack");
    }

    public Path entryTable() {
        return dir.resolve("net/nf_conntrack");
    }

    public Path osRelease() {
        return dir.resolve("sys/kernel/osrelease");
    }

    public Path bootId() {
        return dir.resolve("sys/kernel/random/boot_id");
    }

    public Path slabinfo() {
        return dir.resolve("slabinfo");
    }

    public Path meminfo() {
        return dir.resolve("meminfo");
    }

    /**
     * The whole of a small file, or empty when it does not exist (module not loaded, old kernel).
     *
     * <p>The first read asks for a whole page: sysctl files answer only the first read(2) call
     * (a read at a non-zero offset returns EOF), and procfs reports size 0, so {@code
     * Files.readAllBytes} reads one byte first and then sees "2" for nf_conntrack_max=262144.
     */
    public static Optional<String> readSmall(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[8192];
            int n = 0;
            int r;
            while ((r = in.read(buf, n, buf.length - n)) > 0) {
                n += r;
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
            return Optional.of(new String(buf, 0, n, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
