package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real tmpfs the test can fill to the last byte and empty again: the full disk of the fault
 * suite (cli's FullDiskFaultTest), for store tests. Mounting needs root; like the fault suite, a
 * missing prerequisite skips the test, except in CI (CI=true), where it fails it.
 */
final class SmallDisk implements AutoCloseable {
    final Path mount;
    private final Path filler;

    private SmallDisk(Path mount) {
        this.mount = mount;
        this.filler = mount.resolve("filler");
    }

    /** Mounts a tmpfs of {@code size} (mount's notation: "2m") at {@code dir}. */
    static SmallDisk mount(Path dir, String size) throws Exception {
        require(root(), "mounting a small tmpfs needs root");
        Files.createDirectories(dir);
        assertEquals(0, run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()), "mount");
        return new SmallDisk(dir);
    }

    /** Writes until the file system is full, to the last byte (big writes leave a partial one's room). */
    void fill() throws IOException {
        try (FileChannel out = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int size : new int[] {256 * 1024, 4096, 1}) {
                ByteBuffer chunk = ByteBuffer.allocate(size);
                try {
                    while (true) {
                        chunk.clear();
                        out.write(chunk);
                    }
                } catch (IOException full) {
                    if (!String.valueOf(full.getMessage()).contains("No space left")) {
                        throw full;
                    }
                }
            }
        }
    }

    /** Gives the space back. */
    void free() throws IOException {
        Files.delete(filler);
    }

    @Override
    public void close() throws Exception {
        run("umount", "-l", mount.toString());
    }

    /** Skips the calling test when the prerequisite is missing, except in CI, where that is a failure. */
    static void require(boolean present, String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(what + ": CI must run the fault suite (.ci/run installs what it needs)");
        }
        Assumptions.assumeTrue(present, what);
    }

    static boolean root() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1].equals("0");
            }
        }
        return false;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
