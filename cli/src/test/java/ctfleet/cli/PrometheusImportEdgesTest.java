package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import ctfleet.server.store.Retention;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ctfleet import} against a real Prometheus holding a day of node_exporter history for
 * gateways that are awkward to import: a table full ten minutes every six hours, two machines
 * sharing a nodename, NaN entries, a negative counter, a host without a limit.
 */
class PrometheusImportEdgesTest {
    static final long MINUTE = 60_000;
    static final long HOUR = 3_600_000;
    static final int MINUTES = 1440;
    static final long LIMIT = 100_000;

    @TempDir
    static Path shared;

    static long first;
    static long last;
    static PrometheusFixture prometheus;

    @TempDir
    Path tmp;

    Database db;
    CtfleetServer server;
    String addr;

    /** At its limit for minutes 20..29 of every sixth hour, at 30 % otherwise. */
    static long peaky(long i) {
        return i % 360 >= 20 && i % 360 < 30 ? LIMIT : 30_000;
    }

    static String target(String host, String nodename) {
        return "instance=\"" + host + ":9100\",job=\"edge\",nodename=\"" + nodename + "\"";
    }

    @BeforeAll
    static void backfillAndStart() throws Exception {
        PrometheusFixture.requireBinaries();
        // Whole hours, the newest one over ten minutes ago: 1h steps land on the history's own hours.
        last = (System.currentTimeMillis() - 10 * MINUTE) / HOUR * HOUR;
        first = last - (MINUTES - 1) * MINUTE;
        String peak = target("h-peak", "peak");
        String nolimit = target("h-nolimit", "nolimit");
        String over = target("h-over", "over");
        String twinA = target("h-a", "twin");
        String twinB = target("h-b", "twin");
        String nan = target("h-nan", "nan");
        String neg = target("h-neg", "neg");
        List<PrometheusFixture.Family> families = List.of(
                new PrometheusFixture.Family("node_nf_conntrack_entries", List.of(
                        new PrometheusFixture.Host(peak, PrometheusImportEdgesTest::peaky),
                        new PrometheusFixture.Host(nolimit, i -> 5_000),
                        new PrometheusFixture.Host(over, i -> 90_000),
                        new PrometheusFixture.Host(twinA, i -> 1_000),
                        new PrometheusFixture.Host(twinB, i -> 2_000),
                        PrometheusFixture.Host.text(nan, i -> i % 10 == 0 ? "NaN" : "500"),
                        new PrometheusFixture.Host(neg, i -> 500))),
                new PrometheusFixture.Family("node_nf_conntrack_entries_limit", List.of(
                        new PrometheusFixture.Host(peak, i -> LIMIT),
                        new PrometheusFixture.Host(nolimit, i -> 0),
                        new PrometheusFixture.Host(over, i -> LIMIT),
                        new PrometheusFixture.Host(twinA, i -> 10_000),
                        new PrometheusFixture.Host(twinB, i -> 20_000),
                        new PrometheusFixture.Host(nan, i -> LIMIT),
                        new PrometheusFixture.Host(neg, i -> LIMIT))),
                new PrometheusFixture.Family("node_nf_conntrack_stat_drop", List.of(
                        new PrometheusFixture.Host(neg, i -> -5))),
                new PrometheusFixture.Family("node_nf_conntrack_stat_insert", List.of(
                        new PrometheusFixture.Host(neg, i -> 100 * i))));
        Path tsdb = shared.resolve("tsdb");
        PrometheusFixture.backfill(shared, tsdb, first, MINUTES, families);
        prometheus = PrometheusFixture.start(shared.resolve("prom"), tsdb);
    }

    @AfterAll
    static void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    // A week of raw samples: the maintenance rounds an import asks for must not roll any away.
    @BeforeEach
    void startServer() throws Exception {
        db = Database.open(tmp.resolve("db"));
        server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), db,
                Clock.systemUTC(), new Retention(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(730),
                Duration.ofDays(7))).start();
        addr = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Cli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    Result importFrom(String url, String match, String... more) {
        List<String> args = new ArrayList<>(List.of("import", "--server", addr, "--prometheus", url,
                "--until", java.time.Instant.ofEpochMilli(last).toString(), "--match", match));
        args.addAll(List.of(more));
        if (!args.contains("--since")) {
            args.addAll(List.of("--since", "2d"));
        }
        return cli(args.toArray(String[]::new));
    }

    long scalar(String sql, Object... params) throws Exception {
        try (Connection c = db.connect(); PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                q.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    long rows(String host) throws Exception {
        return scalar("SELECT COUNT(*) FROM raw_samples s JOIN hosts h ON h.id = s.host_ref WHERE h.host_id = ?", host);
    }

    @Test
    void aHostLabelEveryTargetSharesImportsNothingAndNamesTheTargets() throws Exception {
        Result r = importFrom(prometheus.url, "{instance=~\"h-nolimit:9100|h-over:9100\"}", "--host-label", "job");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("edge") && r.err().contains("instance=\"h-nolimit:9100\"")
                && r.err().contains("instance=\"h-over:9100\""), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(0, scalar("SELECT COUNT(*) FROM samples"), "no host made of two machines' fields");
    }

    @Test
    void twoMachinesSharingANodenameAreSkippedAndNamedTheOthersImported() throws Exception {
        Result r = importFrom(prometheus.url, "{instance=~\"h-a:9100|h-b:9100|h-over:9100\"}", "--host-label",
                "nodename");
        assertEquals(0, r.code(), r.err());
        assertEquals(0, rows("twin"), "neither machine's history under the shared name");
        assertEquals(MINUTES, rows("over"));
        assertTrue(r.out().contains("1 hosts skipped"), r.out());
        List<String> twin = r.err().lines().filter(l -> l.contains("twin")).toList();
        assertEquals(1, twin.size(), r.err());
        assertTrue(twin.get(0).contains("instance=\"h-a:9100\"") && twin.get(0).contains("instance=\"h-b:9100\""),
                twin.get(0));
        assertFalse(twin.get(0).contains("nodename=\"twin\", "), "only the labels that differ: " + twin.get(0));
    }

    @Test
    void stepsCoarserThanTheScrapesKeepEachStepsHighestEntries() throws Exception {
        Result r = importFrom(prometheus.url, "{instance=\"h-peak:9100\"}", "--step", "1h");
        assertEquals(0, r.code(), r.err());
        assertEquals(24, rows("h-peak"));
        // Full for minutes 20..29 of every sixth hour: the hour after each such stretch read it.
        assertEquals(4, scalar("SELECT COUNT(*) FROM samples WHERE ct_count = ?", LIMIT), r.out());
        assertEquals(LIMIT, scalar("SELECT MAX(ct_count) FROM samples"));
    }

    @Test
    void stepsAsFineAsTheScrapesReadEveryScrapeOnce() throws Exception {
        Result r = importFrom(prometheus.url, "{instance=\"h-peak:9100\"}", "--step", "1m");
        assertEquals(0, r.code(), r.err());
        assertEquals(MINUTES, rows("h-peak"));
        assertEquals(40, scalar("SELECT COUNT(*) FROM samples WHERE ct_count = ?", LIMIT), "4 stretches of 10 minutes");
        assertEquals(MINUTES, scalar("SELECT COUNT(*) FROM samples WHERE ct_max = ?", LIMIT), "limit read as it is");
    }

    @Test
    void stepsFinerThanTheScrapesFallBackToTheLatestScrape() throws Exception {
        Result r = importFrom(prometheus.url, "{instance=\"h-peak:9100\"}", "--step", "15s", "--since",
                java.time.Instant.ofEpochMilli(last - 60 * MINUTE).toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(4 * 60 + 1, rows("h-peak"), "every 15 s step has a value, as with the bare selector");
    }

    /** A web server in front of Prometheus answering every request under {@code from} with a redirect. */
    static HttpServer redirecting(Map<String, Redirect> rules) throws Exception {
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        rules.forEach((from, to) -> web.createContext(from, ex -> {
            String rest = ex.getRequestURI().getPath().substring(from.length());
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Location", to.location() + rest);
            ex.sendResponseHeaders(to.code(), -1);
            ex.close();
        }));
        web.start();
        return web;
    }

    record Redirect(int code, String location) {}

    @Test
    void redirectsAreFollowedWithTheSameQuery() throws Exception {
        // nginx's /prometheus -> /prometheus/ and http -> https kinds, relative and absolute, every code.
        HttpServer web = redirecting(Map.of(
                "/a", new Redirect(301, "/b"),
                "/b", new Redirect(302, "/c"),
                "/c", new Redirect(307, "/d"),
                "/d", new Redirect(308, prometheus.url)));
        try {
            String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/a";
            Result r = importFrom(url, "{instance=\"h-over:9100\"}");
            assertEquals(0, r.code(), r.err());
            assertEquals(MINUTES, rows("h-over"));
        } finally {
            web.stop(0);
        }
    }

    @Test
    void aRedirectLoopIsOneClearLine() throws Exception {
        HttpServer web = redirecting(Map.of("/loop", new Redirect(301, "/loop")));
        try {
            String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/loop";
            Result r = importFrom(url, "{instance=\"h-over:9100\"}");
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().startsWith("ctfleet import: " + url + "/api/v1/series redirected more than 5 times"),
                    r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        } finally {
            web.stop(0);
        }
    }

    @Test
    void nanEntriesAreCountedAsNotFiniteNotAsMissing() throws Exception {
        Result r = importFrom(prometheus.url, "{instance=\"h-nan:9100\"}");
        assertEquals(0, r.code(), r.err());
        assertEquals(MINUTES - MINUTES / 10, rows("h-nan"));
        assertTrue(r.out().contains("0 steps skipped without both an entries and a limit value, 144 values not finite"),
                r.out());
    }

    @Test
    void aNegativeCounterIsLeftOutAndTheRestOfEachStepKept() throws Exception {
        Result r = importFrom(prometheus.url, "{instance=\"h-neg:9100\"}");
        assertEquals(0, r.code(), r.err());
        assertEquals(MINUTES, rows("h-neg"), r.out() + r.err());
        assertTrue(r.out().contains(String.format("%,d stored", MINUTES)) && r.out().contains(" 0 invalid"), r.out());
        assertTrue(r.out().contains(String.format("%,d negative counter values left out", MINUTES)), r.out());
        assertEquals(0, scalar("SELECT MAX(drop_total) FROM samples"), "no drop counter rather than a made-up one");
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT l.stats FROM host_latest l JOIN hosts h ON h.id = l.host_ref WHERE h.host_id = 'h-neg'")) {
            assertTrue(rs.next());
            assertEquals("{\"insert\":" + 100L * (MINUTES - 1) + "}", rs.getString(1).replace(" ", ""));
        }
    }
}
