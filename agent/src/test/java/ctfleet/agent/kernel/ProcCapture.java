package ctfleet.agent.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a namespace's conntrack proc files into a directory laid out like a procfs root
 * ({@code net/nf_conntrack}, {@code net/stat/nf_conntrack}, {@code sys/net/netfilter/*}), so a
 * unit test can point the agent's {@code --proc-root} at it.
 */
public final class ProcCapture {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ProcCapture() {
    }

    /**
     * @param entryLines how many lines of net/nf_conntrack to keep: a full table is 262k lines
     *                   (tens of MB), too big for a fixture
     * @return the files written, relative to {@code root}
     */
    public static List<Path> capture(Netns netns, Path root, int entryLines) {
        List<Path> written = new ArrayList<>();
        written.add(write(root, "net/stat/nf_conntrack", netns.readFile("/proc/net/stat/nf_conntrack")));
        String head = netns.exec(TIMEOUT, "head", "-n", Integer.toString(entryLines), "/proc/net/nf_conntrack")
                .stdoutOrThrow();
        written.add(write(root, "net/nf_conntrack", head));
        // Plain files only: nf_log/ is a directory of per-family loggers, not conntrack state.
        String names = netns.exec(TIMEOUT, "find", "/proc/sys/net/netfilter", "-maxdepth", "1", "-type", "f",
                "-printf", "%f\\n").stdoutOrThrow();
        for (String name : names.lines().sorted().toList()) {
            CommandResult value = netns.exec(TIMEOUT, "cat", "/proc/sys/net/netfilter/" + name);
            // A write-only or permission-denied sysctl is not a capture failure; it just is not there.
            if (value.succeeded()) {
                written.add(write(root, "sys/net/netfilter/" + name, value.stdout()));
            }
        }
        return written;
    }

    private static Path write(Path root, String relative, String content) {
        Path target = root.resolve(relative);
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        return Path.of(relative);
    }
}
