package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite: agents whose clocks are a year off, under faketime, against a real server. They
 * were acknowledged and then deleted (behind) or refused (ahead); now their hosts are clock-skew
 * everywhere a status shows, and their samples are stored at the server's time.
 */
class ClockSkewFaultTest {
    static final long YEAR_SECONDS = 365L * 86_400;

    @TempDir
    Path tmp;

    @BeforeEach
    void faketime() {
        FaultSupport.require(FaultSupport.onPath("faketime"), "faketime is not installed (apt-get install faketime)");
    }

    FaultSupport.AgentProcess agent(String offset, String host, int port, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--server", "127.0.0.1:" + port, "--host-id", host,
                "--proc-root", FaultSupport.PROC.toString(), "--spool-dir", tmp.resolve("spool-" + host).toString()));
        args.addAll(List.of(more));
        return new FaultSupport.AgentProcess(offset == null ? List.of() : FaultSupport.faketime(offset), FaultSupport.faketimeEnv(),
                tmp.resolve(host + ".log"), args.toArray(String[]::new));
    }

    @Test
    void hostsAYearOffAreClockSkewAndTheirSamplesAreKeptAtTheServersTime() throws Exception {
        int port = ServerProcess.freePort();
        int metricsPort = ServerProcess.freePort();
        String at = "127.0.0.1:" + port;
        try (ServerProcess server = ServerProcess.start(port, tmp.resolve("db"), "--metrics-listen", "127.0.0.1:" + metricsPort);
             FaultSupport.AgentProcess behind = agent("-365d", "gw-behind", port, "--interval", "1s");
             FaultSupport.AgentProcess ahead = agent("+365d", "gw-ahead", port, "--interval", "1s");
             FaultSupport.AgentProcess good = agent(null, "gw-good", port, "--interval", "1s")) {
            FaultSupport.waitFor(Duration.ofSeconds(60), "three samples from each host", () -> {
                for (String h : List.of("gw-behind", "gw-ahead", "gw-good")) {
                    EndToEndTest.Result r = EndToEndTest.cli("history", h, "--since", "10m", "--step", "raw", "--format",
                            "json", "--server", at);
                    if (r.code() != 0 || JsonParser.parseString(r.out()).getAsJsonArray().size() < 3) {
                        return false;
                    }
                }
                return true;
            });
            Instant now = Instant.now();
            for (String h : List.of("gw-behind", "gw-ahead")) {
                JsonArray points = JsonParser.parseString(EndToEndTest.cli("history", h, "--since", "10m", "--step", "raw",
                        "--format", "json", "--server", at).out()).getAsJsonArray();
                for (JsonElement p : points) {
                    Instant ts = Instant.parse(p.getAsJsonObject().get("ts").getAsString());
                    assertTrue(Duration.between(ts, now).abs().compareTo(Duration.ofMinutes(2)) < 0,
                            h + ": stored at the server's time, not a year off: " + ts);
                }
            }

            JsonArray top = JsonParser.parseString(EndToEndTest.cli("top", "--format", "json", "--server", at).out())
                    .getAsJsonArray();
            assertEquals("clock-skew", find(top, "gw-behind").get("status").getAsString(), top.toString());
            assertEquals("clock-skew", find(top, "gw-ahead").get("status").getAsString());
            assertEquals("ok", find(top, "gw-good").get("status").getAsString(), "not stale, not skewed");

            JsonObject host = JsonParser.parseString(EndToEndTest.cli("host", "gw-behind", "--format", "json", "--server", at)
                    .out()).getAsJsonObject();
            assertTrue(Math.abs(host.get("clock_offset_seconds").getAsDouble() + YEAR_SECONDS) < 120, host.toString());
            assertTrue(EndToEndTest.cli("host", "gw-behind", "--server", at).out()
                    .contains("its clock is 365 d 0 h behind the server's"));

            JsonObject summary = JsonParser.parseString(EndToEndTest.cli("summary", "--format", "json", "--server", at).out())
                    .getAsJsonObject();
            assertEquals(2, summary.getAsJsonObject("by_status").get("clock-skew").getAsInt(), summary.toString());

            EndToEndTest.Result check = EndToEndTest.cli("check", "--server", at);
            assertEquals(1, check.code(), "a skewed clock is a warning: " + check.out());
            assertTrue(check.out().contains("2 with a clock off the server's"), check.out());

            String metrics = FaultSupport.metrics(metricsPort);
            assertTrue(metrics.contains("ctfleet_host_status{host=\"gw-behind\",status=\"clock-skew\"} 1.0"), metrics);

            assertTrue(behind.log().contains("this host's clock is 365 d 0 h behind the server's (allowed 5m)"), behind.log());
            assertTrue(ahead.log().contains("ahead of the server's (allowed 5m)"), ahead.log());
        }
    }

    @Test
    void onceSaysWhatTheServerDidAndWhyItRefused() throws Exception {
        int port = ServerProcess.freePort();
        Path tokens = tmp.resolve("tokens");
        // A token the agent does not have: the server refuses the stream itself.
        Files.writeString(tokens, "0000000000000000000000000000000000000000000000000000000000000000 agent fleet\n");
        try (ServerProcess server = ServerProcess.start(port, tmp.resolve("db"))) {
            try (FaultSupport.AgentProcess once = agent("+365d", "gw-once", port, "--once")) {
                assertEquals(0, once.waitFor(), once.log());
                assertTrue(once.log().matches("(?s).*sample acknowledged by 127\\.0\\.0\\.1:" + port + "; this host's clock is"
                        + " 36[45] d \\d+ h ahead of the server's, so the server stored the sample at its own time.*"), once.log());
            }
        }
        try (ServerProcess server = ServerProcess.start(port, tmp.resolve("db2"), "--tokens", tokens.toString())) {
            long start = System.nanoTime();
            try (FaultSupport.AgentProcess once = agent(null, "gw-refused", port, "--once", "--ack-timeout", "30s")) {
                assertEquals(1, once.waitFor());
                assertTrue(once.log().contains("ctfleet agent: the server 127.0.0.1:" + port + " refused the sample:"
                        + " UNAUTHENTICATED: this server requires a bearer token"), once.log());
            }
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(25)) < 0,
                    "it does not wait out --ack-timeout once the server said no");
        }
    }

    static JsonObject find(JsonArray hosts, String host) {
        for (JsonElement e : hosts) {
            if (e.getAsJsonObject().get("host").getAsString().equals(host)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError(host + " not in " + hosts);
    }
}
