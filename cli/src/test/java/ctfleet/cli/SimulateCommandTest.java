package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ctfleet.cli.EndToEndTest.Result;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator against a real server on a loopback port with an H2 file, checked through the CLI's top. */
class SimulateCommandTest {
    static final Set<Long> KERNEL_SIZES = Set.of(65536L, 131072L, 262144L, 524288L, 1048576L);

    @TempDir
    Path tmp;

    CtfleetServer server;
    String addr;

    @BeforeEach
    void start() throws Exception {
        server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(tmp.resolve("db")), Clock.systemUTC()).start();
        addr = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    static long figure(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+(\\d+)").matcher(out);
        assertTrue(m.find(), name + " in:\n" + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void twentyHostsAreAllAcknowledgedAndRankedWithPlausibleValues() {
        Instant before = Instant.now();
        Result r = EndToEndTest.cli("simulate", "--server", addr, "--hosts", "20", "--interval", "10s",
                "--duration", "3s", "--speed", "100", "--seed", "7");
        assertEquals(0, r.code(), r.out() + r.err());
        long sent = figure(r.out(), "samples sent");
        assertTrue(sent >= 20 * 20, "about 30 samples per host in 3 s at 100 ms: " + sent);
        assertEquals(sent, figure(r.out(), "samples acknowledged"));
        assertEquals(0, figure(r.out(), "samples lost"));
        assertEquals(0, figure(r.out(), "samples rejected"));

        Result top = EndToEndTest.cli("top", "--server", addr, "--format", "json");
        assertEquals(0, top.code(), top.err());
        JsonArray hosts = JsonParser.parseString(top.out()).getAsJsonArray();
        assertEquals(20, hosts.size(), top.out());
        Set<String> scenarios = new HashSet<>();
        for (JsonElement e : hosts) {
            JsonObject h = e.getAsJsonObject();
            long count = h.get("count").getAsLong();
            long max = h.get("max").getAsLong();
            assertTrue(KERNEL_SIZES.contains(max), "max " + max);
            assertTrue(count > 0 && count <= max, h.toString());
            assertEquals((double) count / max, h.get("fill").getAsDouble(), 1e-9);
            Instant seen = Instant.parse(h.get("last_seen").getAsString());
            // A compressed run's history ends about now, and never in the future.
            assertTrue(seen.isAfter(before.minusSeconds(60)) && !seen.isAfter(Instant.now()), seen.toString());
            scenarios.add(h.getAsJsonObject("labels").get("scenario").getAsString());
        }
        assertEquals(Set.of("flat", "diurnal", "growth", "leak", "spike", "full"), scenarios, "the mix has every kind");
        JsonObject first = hosts.get(0).getAsJsonObject();
        assertEquals("full", first.getAsJsonObject("labels").get("scenario").getAsString(), "the full host ranks first");
        assertEquals(1.0, first.get("fill").getAsDouble());
        // Pinned at max with early_drop and drop climbing: the kernel is refusing connections now.
        assertEquals("dropping", first.get("status").getAsString());
        assertTrue(first.get("early_drops_per_second").getAsDouble() + first.get("drops_per_second").getAsDouble() > 0,
                first.toString());
    }

    @Test
    void unknownScenarioIsAUsageError() {
        Result r = EndToEndTest.cli("simulate", "--server", addr, "--hosts", "2", "--scenario", "chaos");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("chaos") && r.err().contains("diurnal"), r.err());
    }

    @Test
    void unreachableServerLosesEverySampleAndSaysSoInOneLine() throws Exception {
        int freePort;
        try (var s = new java.net.ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        Result r = EndToEndTest.cli("simulate", "--server", "127.0.0.1:" + freePort, "--hosts", "5",
                "--interval", "1s", "--duration", "5s", "--speed", "10", "--drain", "1s");
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(figure(r.out(), "samples sent"), figure(r.out(), "samples lost"));
        assertTrue(figure(r.out(), "samples sent") > 0);
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
