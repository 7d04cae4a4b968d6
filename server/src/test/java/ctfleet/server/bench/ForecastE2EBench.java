package ctfleet.server.bench;

import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import ctfleet.server.bench.BenchFleet.Host;
import ctfleet.server.bench.BenchFleet.Scenario;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The forecast end to end, side by side with Prometheus, in one run: a {@link BenchFleet} fleet
 * written as node_exporter series and backfilled into a real Prometheus with {@code promtool},
 * imported into a real {@code ctfleet server} with {@code ctfleet import}, then
 * <ul>
 *   <li><b>speed</b>: the server's Top over a 24 h window (gRPC from this process, median of
 *       {@code --reps} calls after warm-up) against Prometheus answering
 *       {@code predict_linear(node_nf_conntrack_entries[24h], 86400)} for the same fleet (HTTP
 *       API, median of as many calls, alternating with ours);
 *   <li><b>quality</b>: P@10, false alarms and Brier score of ctfleet's ranking and of a ranking by
 *       predict_linear's own ETA (from the same Prometheus), against the fleet's known future.
 * </ul>
 * Needs {@code prometheus}, {@code promtool} and the built jars ({@code ./ctfleet}). Arguments:
 * {@code --hosts 1000 --hours 24 --scenario mixed --seed 9000001 --reps 15 --settle 180 --warmup 40
 * --ctfleet ./ctfleet}.
 */
public final class ForecastE2EBench {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int hosts = Integer.parseInt(opt.getOrDefault("hosts", "1000"));
        int hours = Integer.parseInt(opt.getOrDefault("hours", "24"));
        int reps = Integer.parseInt(opt.getOrDefault("reps", "15"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "9000001"));
        Scenario scenario = Scenario.valueOf(opt.getOrDefault("scenario", "mixed").toUpperCase(Locale.ROOT));
        String ctfleet = opt.getOrDefault("ctfleet", "./ctfleet");
        int settle = Integer.parseInt(opt.getOrDefault("settle", "180"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "40"));
        Path tmp = Files.createTempDirectory("ctfleet-forecast-e2e-");
        List<Process> started = new ArrayList<>();
        try {
            List<Host> fleet = BenchFleet.fleet(scenario, seed, hosts);
            int now = BenchFleet.T0;
            long nowSec = System.currentTimeMillis() / 60_000 * 60 - 120;
            int first = now - hours * 60;
            log("writing %d hosts x %d h of node_exporter series", hosts, hours);
            Path om = tmp.resolve("history.om");
            writeOpenMetrics(om, fleet, first, now, nowSec);
            long t = System.nanoTime();
            run(tmp.resolve("promtool.log"), "promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                    om.toString(), tmp.resolve("tsdb").toString());
            Files.delete(om);
            log("promtool backfilled in %.0f s", (System.nanoTime() - t) / 1e9);

            int promPort = freePort();
            Files.writeString(tmp.resolve("prometheus.yml"), "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
            started.add(new ProcessBuilder("prometheus", "--config.file=" + tmp.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--storage.tsdb.retention.time=3650d",
                    "--web.listen-address=127.0.0.1:" + promPort).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("prometheus.log").toFile()).start());
            String prom = "http://127.0.0.1:" + promPort;
            waitFor(() -> get(prom + "/-/ready").contains("Ready"), "prometheus");

            int port = freePort();
            started.add(new ProcessBuilder(ctfleet, "server", "--listen", "127.0.0.1:" + port, "--db",
                    tmp.resolve("db").toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("server.log").toFile()).start());
            waitFor(() -> Files.readString(tmp.resolve("server.log")).contains("listening"), "ctfleet server");

            t = System.nanoTime();
            run(tmp.resolve("import.log"), ctfleet, "import", "--server", "127.0.0.1:" + port, "--prometheus", prom,
                    "--since", (hours + 1) + "h", "--step", "1m");
            log("ctfleet import in %.0f s: %s", (System.nanoTime() - t) / 1e9,
                    Files.readString(tmp.resolve("import.log")).lines().filter(l -> l.startsWith("imported"))
                            .findFirst().orElse("?"));

            ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                    .build();
            // The import asks for maintenance rounds that roll its minutes and hours up for a while:
            // time the queries once the server is back to what it does all day.
            log("letting the server's maintenance settle for %d s", settle);
            Thread.sleep(settle * 1000L);
            QueryGrpc.QueryBlockingStub query = QueryGrpc.newBlockingStub(ch);
            TopRequest req = TopRequest.newBuilder().setWindowSeconds(24 * 3600).build();
            String predict = "predict_linear(node_nf_conntrack_entries[24h], 86400)";
            t = System.nanoTime();
            TopResponse top = query.withDeadlineAfter(5, TimeUnit.MINUTES).top(req);
            double firstCall = (System.nanoTime() - t) / 1e6;
            // A server answers Top and /metrics scrapes all day: its forecast code runs compiled by the
            // JIT, which takes a few dozen calls. Both sides get the same warm-up.
            for (int i = 0; i < warmup; i++) {
                query.withDeadlineAfter(1, TimeUnit.MINUTES).top(req);
                promQuery(prom, predict, nowSec);
            }
            double[] ours = new double[reps];
            double[] theirs = new double[reps];
            for (int i = 0; i < reps; i++) {
                long s = System.nanoTime();
                top = query.withDeadlineAfter(1, TimeUnit.MINUTES).top(req);
                ours[i] = (System.nanoTime() - s) / 1e6;
                s = System.nanoTime();
                promQuery(prom, predict, nowSec);
                theirs[i] = (System.nanoTime() - s) / 1e6;
            }
            double o = median(ours);
            double p = median(theirs);
            System.out.printf(Locale.ROOT, "%nspeed, %d hosts, 24 h window (median of %d, alternating):%n", hosts, reps);
            System.out.printf(Locale.ROOT, "  ctfleet Top (server, gRPC)              %8.1f ms   (first call after start: %.0f ms)%n",
                    o, firstCall);
            System.out.printf(Locale.ROOT, "  Prometheus predict_linear[24h] (HTTP)   %8.1f ms%n", p);
            System.out.printf(Locale.ROOT, "  ratio ctfleet / Prometheus              %8.2f%n", o / p);

            // Quality against the known future.
            Map<String, Host> byId = new HashMap<>();
            for (Host h : fleet) {
                byId.put(h.id, h);
            }
            List<String> oursOrder = new ArrayList<>();
            Map<String, Double> oursP = new HashMap<>();
            for (HostRank r : top.getHostsList()) {
                oursOrder.add(r.getHost());
                oursP.put(r.getHost(), r.getPFull());
            }
            Map<String, Double> level = vector(promQuery(prom, "predict_linear(node_nf_conntrack_entries[24h], 0)", nowSec));
            Map<String, Double> in24 = vector(promQuery(prom, predict, nowSec));
            Map<String, Double> eta = new HashMap<>();
            for (var e : level.entrySet()) {
                Host h = byId.get(e.getKey());
                double a = e.getValue();
                double slope = (in24.getOrDefault(e.getKey(), a) - a) / 86400;
                eta.put(e.getKey(), a >= h.max ? 0 : slope > 0 ? (h.max - a) / slope : Double.POSITIVE_INFINITY);
            }
            List<String> plOrder = new ArrayList<>(eta.keySet());
            plOrder.sort(Comparator.comparingDouble((String id) -> eta.get(id) <= 7 * 86400 ? eta.get(id) : Double.POSITIVE_INFINITY)
                    .thenComparingDouble(id -> -(double) byId.get(id).count[now] / byId.get(id).max));
            Map<String, Double> plP = new HashMap<>();
            eta.forEach((id, e) -> plP.put(id, e <= 86400 ? 1.0 : 0.0));
            System.out.printf(Locale.ROOT, "%nquality, %s fleet of %d, ranked at the newest sample:%n", scenario.label, hosts);
            System.out.printf(Locale.ROOT, "  %-28s %6s %6s %8s%n", "method", "P@10", "false", "Brier");
            score("ctfleet top --window 24h", oursOrder, oursP, byId, now);
            score("predict_linear[24h]", plOrder, plP, byId, now);
            ch.shutdownNow();
        } finally {
            for (Process pr : started) {
                pr.destroy();
                pr.waitFor(10, TimeUnit.SECONDS);
            }
            try (var walk = Files.walk(tmp)) {
                walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }

    /** P@10, false alarms and Brier of one ranking against the hosts' futures from minute {@code now}. */
    private static void score(String name, List<String> order, Map<String, Double> p, Map<String, Host> byId, int now) {
        List<String> candidates = order.stream().filter(id -> byId.containsKey(id) && !byId.get(id).fullAt(now)).toList();
        List<Integer> fills = new ArrayList<>();
        for (String id : candidates) {
            int f = byId.get(id).firstFull(now + 1, now + 7 * 1440);
            if (f >= 0) {
                fills.add(f);
            }
        }
        fills.sort(null);
        int cutoff = fills.isEmpty() ? -1 : fills.get(Math.min(10, fills.size()) - 1);
        int hits = 0;
        int wrong = 0;
        for (String id : candidates.subList(0, Math.min(10, candidates.size()))) {
            int f = byId.get(id).firstFull(now + 1, now + 7 * 1440);
            hits += f >= 0 && f <= cutoff ? 1 : 0;
            wrong += f < 0 ? 1 : 0;
        }
        double brier = 0;
        for (String id : candidates) {
            int f = byId.get(id).firstFull(now + 1, now + 1440);
            double outcome = f >= 0 ? 1 : 0;
            double pi = p.getOrDefault(id, 0.0);
            brier += (pi - outcome) * (pi - outcome);
        }
        System.out.printf(Locale.ROOT, "  %-28s %6.2f %6d %8.4f%n", name,
                fills.isEmpty() ? Double.NaN : (double) hits / Math.min(10, fills.size()), wrong, brier / candidates.size());
    }

    private static void writeOpenMetrics(Path om, List<Host> fleet, int first, int now, long nowSec) throws IOException {
        String[] families = {"node_nf_conntrack_entries", "node_nf_conntrack_entries_limit",
            "node_nf_conntrack_stat_early_drop", "node_boot_time_seconds"};
        try (BufferedWriter w = Files.newBufferedWriter(om, StandardCharsets.UTF_8)) {
            for (int f = 0; f < families.length; f++) {
                w.write("# TYPE " + families[f] + " gauge\n");
                for (Host h : fleet) {
                    String labels = "{instance=\"" + h.id + ":9100\",job=\"node\"}";
                    for (int i = first; i <= now; i++) {
                        if (!h.observed[i]) {
                            continue;
                        }
                        long value = switch (f) {
                            case 0 -> h.count[i];
                            case 1 -> h.max;
                            case 2 -> h.refused[i];
                            default -> 1_700_000_000L + h.boot[i] * 1000L;
                        };
                        w.write(families[f] + labels + " " + value + " " + (nowSec - (now - i) * 60L) + "\n");
                    }
                }
            }
            w.write("# EOF\n");
        }
    }

    private static final Pattern SERIES = Pattern.compile(
            "\\{\"metric\":\\{[^}]*\"instance\":\"([^\":]+)(?::\\d+)?\"[^}]*\\},\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]\\}");

    /** instance (port stripped) to value, from an instant-vector API answer. */
    private static Map<String, Double> vector(String json) {
        Map<String, Double> out = new HashMap<>();
        Matcher m = SERIES.matcher(json);
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private static String promQuery(String prom, String q, long timeSec) throws Exception {
        return get(prom + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&time=" + timeSec);
    }

    private static String get(String url) throws IOException, InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.net.ConnectException e) {
            return "";
        }
    }

    private static void run(Path log, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + Files.readString(log));
        }
    }

    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (c.ok()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(what + " did not come up within 2 minutes");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static void log(String fmt, Object... args) {
        System.err.printf(Locale.ROOT, "== " + fmt + "%n", args);
    }

    private ForecastE2EBench() {}
}
