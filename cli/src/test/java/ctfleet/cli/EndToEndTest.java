package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ctfleet.agent.AgentMain;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end: a real server on a loopback port with an H2 file, the real agent
 * code against fixture procfs roots of several hosts, and the CLI's own code path for the query.
 */
class EndToEndTest {
    static final Path PROC = Path.of("src/test/resources/proc");

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

    @Test
    void rankingFromFixtureHostsThroughAgentServerAndCli() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        for (String host : List.of("gw-half", "gw-unlimited", "gw-near-full", "gw-no-conntrack", "gw-linux-6.18")) {
            assertEquals(0, AgentMain.run("--server", addr, "--host-id", host,
                    "--proc-root", PROC.resolve(host).toString(), "--once"), host);
        }
        assertTrue(Files.exists(tmp.resolve("db/ctfleet.mv.db")), "the H2 database is a real file");

        Result r = cli("top", "--server", addr, "--format", "json");
        assertEquals(0, r.code, r.err);
        JsonArray hosts = JsonParser.parseString(r.out).getAsJsonArray();
        List<String> order = new ArrayList<>();
        hosts.forEach(h -> order.add(h.getAsJsonObject().get("host").getAsString()));
        // Fullest first; the host with no limit (max 0) and the one without conntrack after every limited
        // host (those two by count, largest first).
        assertEquals(List.of("gw-near-full", "gw-half", "gw-linux-6.18", "gw-unlimited", "gw-no-conntrack"), order);

        JsonObject full = hosts.get(0).getAsJsonObject();
        assertEquals(1, full.get("rank").getAsInt());
        assertEquals(250000, full.get("count").getAsLong());
        assertEquals(262144, full.get("max").getAsLong());
        assertEquals(65536, full.get("buckets").getAsLong());
        assertEquals(250000.0 / 262144, full.get("fill").getAsDouble(), 1e-9);
        // One sample each: no trend to forecast, so no chance of full is claimed; fill orders them.
        assertEquals("ok", full.get("status").getAsString());
        assertEquals(0, full.get("p_full").getAsDouble());
        assertEquals("1 sample so far: no trend yet", full.get("reason").getAsString());
        Instant seen = Instant.parse(full.get("last_seen").getAsString());
        assertTrue(!seen.isBefore(before.minusSeconds(1)) && !seen.isAfter(Instant.now().plusSeconds(1)), seen.toString());

        JsonObject half = hosts.get(1).getAsJsonObject();
        assertEquals(0.5, half.get("fill").getAsDouble(), 1e-9);
        assertEquals("ok", half.get("status").getAsString());

        JsonObject real = hosts.get(2).getAsJsonObject();
        assertEquals(25, real.get("count").getAsLong(), "count of the real Linux 6.18 capture");
        assertEquals(262144, real.get("buckets").getAsLong());

        JsonObject noCt = hosts.get(4).getAsJsonObject();
        assertTrue(noCt.get("fill").isJsonNull());
        assertEquals("no-conntrack", noCt.get("status").getAsString());

        JsonObject unlimited = hosts.get(3).getAsJsonObject();
        assertEquals(0, unlimited.get("max").getAsLong());
        assertEquals(1000, unlimited.get("count").getAsLong());
        assertTrue(unlimited.get("fill").isJsonNull(), "fill is null when max is 0");
        assertEquals("unlimited", unlimited.get("status").getAsString());

        Result table = cli("top", "--server", addr, "--limit", "2");
        assertEquals(0, table.code, table.err);
        String[] lines = table.out.strip().split("\n");
        assertEquals(3, lines.length, table.out);
        assertTrue(lines[1].contains("gw-near-full") && lines[1].contains("95.4%"), lines[1]);
        assertTrue(lines[2].contains("gw-half") && lines[2].contains("50.0%"), lines[2]);
    }

    @Test
    void resendingTheSameSampleDoesNotDuplicateTheHost() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertEquals(0, AgentMain.run("--server", addr, "--host-id", "gw-half",
                    "--proc-root", PROC.resolve("gw-half").toString(), "--once"));
        }
        Result r = cli("top", "--server", addr, "--format", "json");
        assertEquals(1, JsonParser.parseString(r.out).getAsJsonArray().size(), r.out);
    }

    @Test
    void unknownFormatIsAUsageErrorWithExitTwo() {
        Result r = cli("top", "--server", addr, "--format", "yaml");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("yaml") && r.err.contains("Usage:"), r.err);
    }

    @Test
    void unreachableServerIsOneLineNotAStackTrace() throws Exception {
        int freePort;
        try (var s = new java.net.ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        Result r = cli("top", "--server", "127.0.0.1:" + freePort);
        assertEquals(1, r.code);
        assertTrue(r.err.contains("cannot reach the server"), r.err);
        assertTrue(!r.err.contains("\tat "), "no stack trace: " + r.err);
    }

    @Test
    void misspelledCommandPrintsUsageAndExitsTwo() {
        Result r = cli("tpo");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("Usage:"), r.err);
    }

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        return run(Cli.commandLine(), args);
    }

    /** {@code ctfleet admin recover}, which the launcher runs from the server's jar. */
    static Result recover(String... args) {
        return run(ctfleet.server.admin.RecoverCommand.commandLine(), args);
    }

    static Result run(picocli.CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
