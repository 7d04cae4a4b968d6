package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import ctfleet.agent.ship.Spool;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite: the tester's spool case, with a real agent process and a real server process. One
 * damaged stretch in frame 10 of a 65-frame segment cut the segment there and deleted the 55
 * intact samples after it, and the host showed {@code dropped_samples: 0}.
 */
class DamagedSpoolFaultTest {
    /** The frame marker (Frames.MARKER, big endian): how the test finds frame 10 in the file. */
    static final byte[] MARKER = {(byte) 0xE3, 0x74, 0x66, 0x53};

    @TempDir
    Path tmp;

    @Test
    void aDamagedFrameCostsThatSampleOnlyAndTheServerIsTold() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        long end = System.currentTimeMillis() - 120_000;
        try (Spool spool = Spool.open(spoolDir)) {
            for (int i = 0; i < 65; i++) {
                spool.append(FaultSupport.sample(end - (64 - i) * 10_000L, 1000 + i).toByteArray());
            }
        }
        Path segment;
        try (Stream<Path> files = Files.list(spoolDir)) {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        long frame10 = nthMarker(bytes, 10);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("damaged!".getBytes()), frame10 + 22); // inside its sample, short of frame 11
        }

        int port = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start(port, tmp.resolve("db"));
             FaultSupport.AgentProcess agent = new FaultSupport.AgentProcess(List.of(), Map.of(), tmp.resolve("agent.log"),
                     "--server", "127.0.0.1:" + port, "--host-id", "gw-spool", "--spool-dir", spoolDir.toString(),
                     "--interval", "1h", "--proc-root", FaultSupport.PROC.toString())) {
            String[] history = {""};
            // 64 replayed samples and the agent's first live one.
            FaultSupport.waitFor(Duration.ofSeconds(60), "the spool's intact samples at the server", () -> {
                EndToEndTest.Result r = EndToEndTest.cli("history", "gw-spool", "--since", "1h", "--step", "raw",
                        "--format", "json", "--server", "127.0.0.1:" + port);
                history[0] = r.out();
                return r.code() == 0 && JsonParser.parseString(r.out()).getAsJsonArray().size() == 65;
            });
            var points = JsonParser.parseString(history[0]).getAsJsonArray();
            long counts = 0;
            for (var p : points) {
                counts += p.getAsJsonObject().get("count").getAsLong() == 1009 ? 1 : 0;
            }
            assertEquals(0, counts, "the damaged sample (count 1009) is not delivered");
            EndToEndTest.Result host = EndToEndTest.cli("host", "gw-spool", "--format", "json", "--server", "127.0.0.1:" + port);
            assertEquals(1, JsonParser.parseString(host.out()).getAsJsonObject().get("dropped_samples").getAsLong(),
                    "the lost sample is reported: " + host.out());
            String log = agent.log();
            assertTrue(log.contains("spool segment " + segment + ": bytes " + frame10 + "..")
                    && log.contains(": 1 samples lost (seq 10..10), counted as dropped"), log);
        }
    }

    static long nthMarker(byte[] b, int n) {
        int seen = 0;
        for (int i = 0; i + 4 <= b.length; i++) {
            if (b[i] == MARKER[0] && b[i + 1] == MARKER[1] && b[i + 2] == MARKER[2] && b[i + 3] == MARKER[3] && ++seen == n) {
                return i;
            }
        }
        throw new AssertionError("fewer than " + n + " frames");
    }
}
