package ctfleet.agent.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a /proc file from inside the namespace this JVM runs in.
 *
 * <p>Not {@code Files.readString}: /proc files report size 0, so on JDK 17 it probes with a
 * one-byte read and continues at offset 1, where a sysctl handler (proc_dointvec) answers EOF.
 * nf_conntrack_max 262144 then reads as "2". A stream's readAllBytes asks for a full buffer
 * at offset 0 and gets the whole value.
 */
final class ProcText {

    private ProcText() {
    }

    static String read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static long readLong(Path path) throws IOException {
        return Long.parseLong(read(path).strip());
    }
}
