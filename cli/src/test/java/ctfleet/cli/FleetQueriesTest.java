package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.EntrySummary;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.proto.v1.StateCount;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fleet query against a running server whose hosts went through growth, drops, a stale
 * agent and a flat table: JSON and table output, through the CLI's own code path.
 */
class FleetQueriesTest {
    static final long MAX = 65_536;
    static final long STEP = 10_000;
    static final int N = 300; // 50 minutes at 10 s

    @TempDir
    static Path tmp;

    static CtfleetServer server;
    static String addr;
    static long now;

    @BeforeAll
    static void fleet() throws Exception {
        server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(tmp.resolve("db")), Clock.systemUTC()).start();
        addr = "127.0.0.1:" + server.port();
        now = System.currentTimeMillis();
        long t0 = now - N * STEP;
        // Growing 40% -> ~70% of its table in 50 minutes: full in about an hour more.
        send("gw-grow", t0, N, i -> sample(Math.round(MAX * (0.40 + 0.30 * i / N)), 0));
        // Pinned at max, early_drop climbing by 5 per sample.
        send("gw-drop", t0, N, i -> sample(MAX, 5L * i));
        // Flat at 80%, its table mostly TIME_WAIT with the kernel's default timeouts.
        send("gw-flat", t0, N, i -> sample(Math.round(MAX * 0.80), 0).toBuilder()
                .putTimeouts("tcp_timeout_time_wait", 120).putTimeouts("tcp_timeout_established", 432000)
                .setEntries(EntrySummary.newBuilder().setSampleSize(2000).setAssured(1500)
                        .addStates(StateCount.newBuilder().setFamily("ipv4").setProtocol("tcp").setState("TIME_WAIT").setSampled(1500))
                        .addStates(StateCount.newBuilder().setFamily("ipv4").setProtocol("tcp").setState("ESTABLISHED").setSampled(500))
                        .addTopDestinations(ctfleet.proto.v1.Endpoint.newBuilder().setAddress("10.1.2.3").setPort(443)
                                .setProtocol("tcp").setSampled(1200)))
                .build());
        send("gw-ok", t0, N, i -> sample(Math.round(MAX * 0.10), 0));
        // Fell silent ten minutes ago.
        send("gw-stale", t0, N - 60, i -> sample(Math.round(MAX * 0.20), 0));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static Sample sample(long count, long earlyDrop) {
        return Sample.newBuilder().setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(count).setMax(MAX)
                .setBuckets(MAX).setBootId("boot-1").setBytesPerEntry(256).putStats("early_drop", earlyDrop)
                .putStats("drop", 0).putStats("insert_failed", 0).putStats("insert", 40 * earlyDrop).build();
    }

    static void send(String host, long t0, int n, LongFunction<Sample> at) throws Exception {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        CountDownLatch done = new CountDownLatch(1);
        int[] acks = {0};
        StreamObserver<AgentMessage> out = CollectorGrpc.newStub(ch).stream(new StreamObserver<ServerMessage>() {
            @Override
            public void onNext(ServerMessage m) {
                acks[0]++;
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(host).putLabels("dc", "fra1")).build());
        for (int i = 0; i < n; i++) {
            out.onNext(AgentMessage.newBuilder().setSample(at.apply(i).toBuilder().setSeq(i + 1).setTsMillis(t0 + i * STEP))
                    .build());
        }
        out.onCompleted();
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(n, acks[0], host);
        ch.shutdownNow();
    }

    static JsonElement json(String... args) {
        EndToEndTest.Result r = EndToEndTest.cli(args);
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out());
    }

    static JsonObject find(JsonArray a, String host) {
        for (JsonElement e : a) {
            if (e.getAsJsonObject().get("host").getAsString().equals(host)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError(host + " not in " + a);
    }

    @Test
    void topPutsDroppingFirstThenGrowingByEtaThenFillAndFlagsTheStaleHost() {
        JsonArray top = json("top", "--server", addr, "--format", "json").getAsJsonArray();
        List<String> order = new ArrayList<>();
        top.forEach(h -> order.add(h.getAsJsonObject().get("host").getAsString()));
        assertEquals("gw-drop", order.get(0), order.toString());
        assertEquals("gw-grow", order.get(1), order.toString());
        assertTrue(order.indexOf("gw-flat") < order.indexOf("gw-ok"), order.toString());

        JsonObject drop = find(top, "gw-drop");
        assertEquals("dropping", drop.get("status").getAsString());
        assertEquals(0.5, drop.get("early_drops_per_second").getAsDouble(), 0.01, "5 per 10 s sample");

        JsonObject grow = find(top, "gw-grow");
        assertFalse(grow.get("eta_seconds").isJsonNull(), grow.toString());
        double eta = grow.get("eta_seconds").getAsDouble();
        assertTrue(eta > 20 * 60 && eta < 3 * 3600, "about an hour to full: " + eta);
        assertTrue(List.of("warn", "crit").contains(grow.get("status").getAsString()), grow.toString());

        assertTrue(grow.get("p_full").getAsDouble() > 0.9, grow.toString());
        assertTrue(grow.get("eta_low_seconds").getAsDouble() <= eta, grow.toString());
        assertTrue(grow.get("reason").getAsString().startsWith("growing 36 %/h since"), grow.toString());

        JsonObject flat = find(top, "gw-flat");
        assertTrue(flat.get("eta_seconds").isJsonNull(), "a flat host is not growing");
        // Flat at 80 %: no chance of filling, so ok (the 75 % rule is check's, not top's).
        assertEquals("ok", flat.get("status").getAsString());
        assertEquals(0, flat.get("p_full").getAsDouble(), 0.01);
        assertEquals("flat at 80 %", flat.get("reason").getAsString());
        assertEquals("ok", find(top, "gw-ok").get("status").getAsString());
        assertEquals("stale", find(top, "gw-stale").get("status").getAsString());
        assertEquals(5, top.size());

        JsonArray onlyTwo = json("top", "--server", addr, "--format", "json", "--limit", "2").getAsJsonArray();
        assertEquals(2, onlyTwo.size());
        EndToEndTest.Result csv = EndToEndTest.cli("top", "--server", addr, "--format", "csv");
        assertTrue(csv.out().startsWith("rank,host,count,max,buckets,fill,p_full,eta_seconds,eta_low_seconds,"
                + "eta_high_seconds"), csv.out());
        assertEquals(6, csv.out().strip().split("\n").length, csv.out());
    }

    @Test
    void hostDetailHasRatesBreakdownAdviceAndCapacity() {
        JsonObject h = json("host", "gw-flat", "--server", addr, "--format", "json").getAsJsonObject();
        assertEquals("gw-flat", h.get("host").getAsString());
        assertEquals(2000, h.getAsJsonObject("sample").get("size").getAsLong());
        JsonArray states = h.getAsJsonArray("states");
        JsonObject timeWait = states.get(0).getAsJsonObject();
        assertEquals("TIME_WAIT", timeWait.get("state").getAsString());
        // 1500 of 2000 sampled, scaled to the table's 52429 entries.
        assertEquals(Math.round(1500 * (Math.round(MAX * 0.80) / 2000.0)), timeWait.get("estimated").getAsLong());
        assertEquals("10.1.2.3", h.getAsJsonArray("top_destinations").get(0).getAsJsonObject().get("address").getAsString());
        assertEquals(0.0, h.getAsJsonObject("rates").get("early_drop").getAsDouble());
        assertEquals(120, h.getAsJsonObject("timeouts").get("tcp_timeout_time_wait").getAsLong());
        JsonArray advice = h.getAsJsonArray("advice");
        assertTrue(advice.toString().contains("tcp_timeout_time_wait"), advice.toString());
        JsonObject capacity = h.getAsJsonObject("capacity");
        long rec = capacity.get("recommended_max").getAsLong();
        assertTrue(rec >= MAX && Long.bitCount(rec) == 1, "a power of two, never below the current max: " + rec);
        assertTrue(capacity.getAsJsonArray("commands").toString().contains("sysctl -w net.netfilter.nf_conntrack_max="));

        JsonObject drop = json("host", "gw-drop", "--server", addr, "--format", "json").getAsJsonObject();
        assertEquals(0.5, drop.getAsJsonObject("rates").get("early_drop").getAsDouble(), 0.01);
        // A counter raw history does not keep: its rate over the newest interval, 40 x early_drop's.
        assertEquals(20.0, drop.getAsJsonObject("rates").get("insert").getAsDouble(), 0.5);
        assertEquals(5L * (N - 1), drop.getAsJsonObject("stats").get("early_drop").getAsLong());

        EndToEndTest.Result table = EndToEndTest.cli("host", "gw-flat", "--server", addr);
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("What fills the table") && table.out().contains("TIME_WAIT")
                && table.out().contains("Timeout advice"), table.out());

        EndToEndTest.Result unknown = EndToEndTest.cli("host", "gw-nope", "--server", addr);
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("gw-nope") && !unknown.err().contains("\tat "), unknown.err());
    }

    @Test
    void historyIsOldestFirstWithRatesAndASparkline() {
        JsonArray points = json("history", "gw-grow", "--server", addr, "--since", "1h", "--format", "json")
                .getAsJsonArray();
        assertEquals(N, points.size());
        assertTrue(points.get(0).getAsJsonObject().get("count").getAsDouble()
                < points.get(N - 1).getAsJsonObject().get("count").getAsDouble(), "oldest first");
        assertEquals("raw", points.get(0).getAsJsonObject().get("step").getAsString());
        JsonArray drops = json("history", "gw-drop", "--server", addr, "--format", "json").getAsJsonArray();
        assertEquals(0.5, drops.get(N - 1).getAsJsonObject().get("early_drops_per_second").getAsDouble(), 0.01);

        EndToEndTest.Result table = EndToEndTest.cli("history", "gw-grow", "--server", addr);
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().lines().findFirst().orElseThrow().matches(".*fill: [▁▂▃▄▅▆▇█ ]+"), table.out());
        assertEquals(2, EndToEndTest.cli("history", "gw-grow", "--server", addr, "--step", "5m").code());
    }

    @Test
    void capacityRecommendsPowersOfTwoWithMemoryAndCommands() {
        JsonObject cap = json("capacity", "--server", addr, "--format", "json", "--window", "1h", "--horizon", "30d")
                .getAsJsonObject();
        JsonArray hosts = cap.getAsJsonArray("hosts");
        assertEquals(5, hosts.size());
        long total = 0;
        for (JsonElement e : hosts) {
            JsonObject p = e.getAsJsonObject();
            long rec = p.get("recommended_max").getAsLong();
            assertEquals(1, Long.bitCount(rec), p.toString());
            assertTrue(p.get("memory_bytes").getAsLong() >= rec * 256, p.toString());
            total += p.get("memory_bytes").getAsLong();
        }
        assertEquals(total, cap.get("total_memory_bytes").getAsLong());
        JsonObject grow = find(hosts, "gw-grow");
        assertTrue(grow.get("recommended_max").getAsLong() > MAX, "a growing host needs more: " + grow);
        // Fifty minutes of history is no growth trend: the plan is the peak with headroom, and says so.
        assertTrue(grow.get("full_at").isJsonNull(), grow.toString());
        assertEquals("raise", grow.get("action").getAsString());
        assertTrue(grow.get("note").getAsString().contains("too short for a growth trend"), grow.toString());
        JsonObject drop = find(hosts, "gw-drop");
        assertFalse(drop.get("demand_estimate").isJsonNull(), "pinned at max and early-dropping: " + drop);

        EndToEndTest.Result table = EndToEndTest.cli("capacity", "--server", addr, "--window", "1h");
        assertTrue(table.out().contains("Fleet total to reserve"), table.out());
        assertEquals(2, EndToEndTest.cli("capacity", "--server", addr, "--headroom", "0.5").code());
    }

    @Test
    void summaryCountsStatusesAndNamesTheNearest() {
        JsonObject s = json("summary", "--server", addr, "--format", "json").getAsJsonObject();
        assertEquals(5, s.get("hosts").getAsInt());
        assertEquals(1, s.get("stale").getAsInt());
        assertEquals(1, s.getAsJsonObject("by_status").get("dropping").getAsInt());
        assertEquals(5L * (N - 1), s.get("drops_in_window").getAsLong());
        assertEquals("gw-drop", s.getAsJsonArray("nearest").get(0).getAsJsonObject().get("host").getAsString());
        EndToEndTest.Result table = EndToEndTest.cli("summary", "--server", addr);
        assertTrue(table.out().startsWith("5 hosts reporting, 1 stale"), table.out());
    }

    @Test
    void checkIsCriticalWhileAHostDropsAndUnknownWithoutAServer() throws Exception {
        EndToEndTest.Result r = EndToEndTest.cli("check", "--server", addr);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("CTFLEET CRITICAL") && r.out().contains("gw-drop"), r.out());
        assertEquals(1, r.out().strip().lines().count());

        EndToEndTest.Result onlyOk = EndToEndTest.cli("check", "--server", addr, "--warn", "0.95", "--crit", "0.99",
                "--eta-warn", "1m");
        assertEquals(2, onlyOk.code(), "still dropping: " + onlyOk.out());

        EndToEndTest.Result down = EndToEndTest.cli("check", "--server", "127.0.0.1:" + ServerProcess.freePort());
        assertEquals(3, down.code(), down.err());
        assertEquals(3, EndToEndTest.cli("check", "--server", addr, "--warn", "2").code(), "usage error is UNKNOWN");
    }
}
