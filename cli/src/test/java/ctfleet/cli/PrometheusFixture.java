package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus (the Debian package's binary, no systemd) on a loopback port, over a TSDB
 * backfilled by {@code promtool tsdb create-blocks-from openmetrics}.
 */
final class PrometheusFixture implements AutoCloseable {
    private final Process process;
    private final Path log;
    final String url;

    private PrometheusFixture(Process process, Path log, String url) {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    /** Skips the calling tests when the binaries are missing, except in CI, where that is a failure. */
    static void requireBinaries() {
        boolean present = onPath("prometheus") && onPath("promtool");
        String msg = "prometheus and promtool are not installed (apt-get install prometheus)";
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(msg + ": CI must run the Prometheus import test");
        }
        Assumptions.assumeTrue(present, msg);
    }

    static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** One gauge family of the history: a value per host per minute. */
    record Family(String name, List<Host> hosts) {}

    /**
     * {@code value} maps the minute's index (0 = oldest) to the value; {@code text}, when set instead,
     * to the value as OpenMetrics writes it ({@code NaN}, {@code -5}, ...).
     */
    record Host(String labels, LongUnaryOperator value, IntFunction<String> text) {
        Host(String labels, LongUnaryOperator value) {
            this(labels, value, null);
        }

        static Host text(String labels, IntFunction<String> text) {
            return new Host(labels, null, text);
        }

        String at(int minute) {
            return text != null ? text.apply(minute) : Long.toString(value.applyAsLong(minute));
        }
    }

    /** Writes OpenMetrics text (seconds, families not interleaved, {@code # EOF}) and builds blocks from it. */
    static void backfill(Path dir, Path tsdb, long firstMillis, int minutes, List<Family> families)
            throws IOException, InterruptedException {
        Path om = dir.resolve("history.om");
        try (BufferedWriter w = Files.newBufferedWriter(om, StandardCharsets.UTF_8)) {
            for (Family f : families) {
                w.write("# TYPE " + f.name() + " gauge\n");
                for (Host h : f.hosts()) {
                    for (int i = 0; i < minutes; i++) {
                        w.write(f.name() + "{" + h.labels() + "} " + h.at(i) + " "
                                + (firstMillis / 1000 + i * 60L) + "\n");
                    }
                }
            }
            w.write("# EOF\n");
        }
        Path out = dir.resolve("promtool.log");
        Process p = new ProcessBuilder("promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                om.toString(), tsdb.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertEquals(0, p.waitFor(), () -> "promtool failed: " + read(out));
    }

    /** Starts Prometheus on a copy of {@code tsdb} (one process may hold a TSDB), with extra flags. */
    static PrometheusFixture start(Path dir, Path tsdb, String... flags) throws Exception {
        Files.createDirectories(dir);
        Path data = dir.resolve("data");
        copyTree(tsdb, data);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=3650d",
                "--web.listen-address=127.0.0.1:" + port));
        cmd.addAll(List.of(flags));
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusFixture f = new PrometheusFixture(p, log, "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("prometheus exited: " + read(log));
            }
            if (ready(f.url)) {
                return f;
            }
            Thread.sleep(200);
        }
        f.close();
        throw new AssertionError("prometheus not ready within 60 s: " + read(log));
    }

    private static boolean ready(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url + "/-/ready").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(500);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    static String read(Path p) {
        try {
            String s = Files.readString(p);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    String log() {
        return read(log);
    }
}
