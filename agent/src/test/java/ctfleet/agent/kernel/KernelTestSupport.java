package ctfleet.agent.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need the real kernel: root, {@code ip} and {@code nft}.
 *
 * <p>A developer laptop without them skips; CI ({@code CI=true}) fails instead, because a
 * kernel suite that silently skips in CI would report green while testing nothing.
 */
public final class KernelTestSupport {

    /** Where iproute2 and nftables live on Debian/Ubuntu/Fedora when PATH lacks sbin. */
    private static final List<Path> SBIN_DIRS =
            List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/local/sbin"));

    private KernelTestSupport() {
    }

    /** Call first in every kernel test (or in {@code @BeforeAll}). */
    public static void requireRootAndTools() {
        require(missingPrerequisites(), System.getenv("CI"));
    }

    /** The decision alone, apart from probing the machine, so it can be tested anywhere. */
    static void require(List<String> missing, String ciEnv) {
        if (missing.isEmpty()) {
            return;
        }
        String why = "kernel conntrack tests need " + String.join(", ", missing)
                + " (install: apt-get install -y nftables iproute2 conntrack; run as root)";
        if ("true".equals(ciEnv)) {
            Assertions.fail("CI=true but " + why);
        }
        Assumptions.assumeTrue(missing.isEmpty(), why);
    }

    static List<String> missingPrerequisites() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root");
        }
        if (executable("ip").isEmpty()) {
            missing.add("ip (iproute2)");
        }
        if (executable("nft").isEmpty()) {
            missing.add("nft (nftables)");
        }
        return missing;
    }

    /** Absolute path of a tool, searched on PATH and then in the sbin directories. */
    public static Optional<Path> executable(String name) {
        String pathEnv = Optional.ofNullable(System.getenv("PATH")).orElse("");
        Stream<Path> onPath = Stream.of(pathEnv.split(":")).filter(s -> !s.isEmpty()).map(Path::of);
        return Stream.concat(onPath, SBIN_DIRS.stream())
                .map(dir -> dir.resolve(name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Effective uid from /proc/self/status: no JNI, no com.sun classes. */
    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .map(line -> line.split("\\s+"))
                    .anyMatch(fields -> fields.length > 2 && fields[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }
}
