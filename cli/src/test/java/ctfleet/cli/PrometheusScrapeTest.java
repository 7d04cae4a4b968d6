package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ctfleet.agent.AgentMain;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus (Debian's package) scrapes the server's /metrics and PromQL finds the top host. */
class PrometheusScrapeTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesTheRankingAndPromqlFindsTheTopHost() throws Exception {
        boolean have = Files.isExecutable(PROMETHEUS);
        assertTrue(have || !"true".equals(System.getenv("CI")), "CI must install the prometheus package");
        assumeTrue(have, "prometheus is not installed (apt-get install prometheus)");

        PrometheusRegistry registry = new PrometheusRegistry();
        try (CtfleetServer server = new CtfleetServer(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), Database.open(tmp.resolve("db")),
                Clock.systemUTC(), registry).start();
             HTTPServer metrics = HTTPServer.builder().hostname("127.0.0.1").port(0).registry(registry).buildAndStart()) {
            for (String host : List.of("gw-half", "gw-near-full", "gw-unlimited")) {
                assertEquals(0, AgentMain.run("--server", "127.0.0.1:" + server.port(), "--host-id", host,
                        "--label", "dc=fra1", "--proc-root", EndToEndTest.PROC.resolve(host).toString(), "--once"));
            }
            String text = get("http://127.0.0.1:" + metrics.getPort() + "/metrics");
            assertTrue(text.contains("ctfleet_host_fill_ratio{dc=\"fra1\",host=\"gw-near-full\"}"), text);
            assertTrue(text.contains("ctfleet_samples_ingested_total 3"), text);

            int promPort;
            try (var s = new java.net.ServerSocket(0)) {
                promPort = s.getLocalPort();
            }
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                    + "  - job_name: ctfleet\n    static_configs:\n      - targets: ['127.0.0.1:" + metrics.getPort() + "']\n");
            Process prom = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
            try {
                String api = "http://127.0.0.1:" + promPort + "/api/v1/query?query="
                        + URLEncoder.encode("ctfleet_host_rank == 1", StandardCharsets.UTF_8);
                JsonArray result = new JsonArray();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (result.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    try {
                        JsonObject body = JsonParser.parseString(get(api)).getAsJsonObject();
                        result = body.getAsJsonObject("data").getAsJsonArray("result");
                    } catch (java.io.IOException | com.google.gson.JsonParseException | IllegalStateException notUpYet) {
                        // Prometheus still starting ("Service Unavailable" is not JSON)
                    }
                }
                assertEquals(1, result.size(), Files.readString(tmp.resolve("prometheus.log")));
                JsonObject metric = result.get(0).getAsJsonObject().getAsJsonObject("metric");
                assertEquals("gw-near-full", metric.get("host").getAsString());
                assertEquals("fra1", metric.get("dc").getAsString());

                // The shipped Grafana dashboard: every query is valid PromQL on these metrics.
                JsonObject dashboard = JsonParser.parseString(Files.readString(
                        Path.of("../packaging/grafana/ctfleet-dashboard.json"))).getAsJsonObject();
                int queries = 0;
                for (var panel : dashboard.getAsJsonArray("panels")) {
                    for (var target : panel.getAsJsonObject().getAsJsonArray("targets")) {
                        String expr = target.getAsJsonObject().get("expr").getAsString().replace("$host", ".*");
                        var m = java.util.regex.Pattern.compile("ctfleet_[a-z_]+").matcher(expr);
                        while (m.find()) {
                            String name = m.group().replaceFirst("_bucket$", "");
                            // eta (no host here is growing) and fill are absent when they have no value.
                            assertTrue(text.contains(name) || name.equals("ctfleet_host_eta_seconds"),
                                    name + " is not exported; used by: " + expr);
                        }
                        JsonObject answer = JsonParser.parseString(get("http://127.0.0.1:" + promPort
                                + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                                .getAsJsonObject();
                        assertEquals("success", answer.get("status").getAsString(), expr + ": " + answer);
                        queries++;
                    }
                }
                assertTrue(queries >= 8, "dashboard queries checked: " + queries);
            } finally {
                prom.destroy();
                prom.waitFor(10, TimeUnit.SECONDS);
                prom.destroyForcibly();
            }
        }
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }
}
