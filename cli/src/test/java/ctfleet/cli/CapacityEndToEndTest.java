package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CapacityRequest;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Endpoint;
import ctfleet.proto.v1.EntrySummary;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.proto.v1.StateCount;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capacity plans through a real server (gRPC on loopback, an H2 file): hosts stream what agents
 * send — MemTotal, timeouts, entry breakdowns, refusals — and `ctfleet capacity --format json`
 * must say what each can afford, what is capped, what a full host hides, and which growth is a leak.
 */
class CapacityEndToEndTest {
    static final long GIB = 1L << 30;
    static final long MIN = 60_000;

    @TempDir
    static Path tmp;

    static CtfleetServer server;
    static String addr;

    @BeforeAll
    static void fleet() throws Exception {
        server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(tmp.resolve("db")), Clock.systemUTC()).start();
        addr = "127.0.0.1:" + server.port();
        long now = System.currentTimeMillis();
        // A leak: a day of 10-minute samples climbing 50k -> 62k, most of the table ESTABLISHED to one
        // database, tcp_timeout_established at its 5-day default.
        long dayAgo = now - 144 * 10 * MIN;
        send("gw-leak", dayAgo, 10 * MIN, 145, i -> sample(50_000 + 12_000L * i / 144, 262_144, 8 * GIB, 0)
                .setEntries(entries(2000, 1600, 300, "10.1.20.7", 5432, 1300)).build());
        // Full for an hour: 600 early drops a minute (10/s); all TCP, closing by FIN (120 s lifetime).
        long hourAgo = now - 60 * MIN;
        send("gw-full", hourAgo, MIN, 61, i -> sample(65_536, 65_536, 16 * GIB, 600L * i)
                .setEntries(entries(2000, 1000, 1000, "203.0.113.9", 443, 200)).build());
        // 900k of 1,048,576 on a 2 GiB host: it needs 2,097,152 (528 MiB), a quarter of 2 GiB is 512 MiB.
        send("gw-small", hourAgo, MIN, 61, i -> sample(900_000, 1_048_576, 2 * GIB, 0).build());
        // An agent older than MemTotal.
        send("gw-old", hourAgo, MIN, 61, i -> sample(30_000, 65_536, 0, 0).build());
        // Full for the hour's first ten minutes (a burst, refusing as gw-full does), at 30 % since.
        send("gw-burst", hourAgo, MIN, 61, i -> sample(i < 10 ? 65_536 : 20_000, 65_536, 16 * GIB,
                600L * Math.min(i, 10)).setEntries(entries(2000, 1000, 1000, "203.0.113.9", 443, 200)).build());
        burstAt = hourAgo;
    }

    static long burstAt;

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static Sample.Builder sample(long count, long max, long memTotal, long earlyDrop) {
        Sample.Builder b = Sample.newBuilder().setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(count)
                .setMax(max).setBuckets(max).setBootId("boot-1").setBytesPerEntry(256).putStats("early_drop", earlyDrop)
                .putStats("drop", 0).putStats("insert_failed", 0);
        if (memTotal > 0) {
            b.setMemTotalBytes(memTotal);
        }
        return b;
    }

    static EntrySummary entries(int size, int established, int timeWait, String dst, int port, int toDst) {
        return EntrySummary.newBuilder().setSampleSize(size).setAssured(established + timeWait)
                .addStates(StateCount.newBuilder().setFamily("ipv4").setProtocol("tcp").setState("ESTABLISHED")
                        .setSampled(established))
                .addStates(StateCount.newBuilder().setFamily("ipv4").setProtocol("tcp").setState("TIME_WAIT")
                        .setSampled(timeWait))
                .addStates(StateCount.newBuilder().setFamily("ipv4").setProtocol("udp").setSampled(
                        size - established - timeWait))
                .addTopDestinations(Endpoint.newBuilder().setAddress(dst).setPort(port).setProtocol("tcp")
                        .setSampled(toDst))
                .build();
    }

    /** One agent's stream: a hello, n samples `step` apart from t0; the first carries the timeouts. */
    static void send(String host, long t0, long step, int n, IntFunction<Sample> at) throws Exception {
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
        out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(host)).build());
        for (int i = 0; i < n; i++) {
            Sample.Builder s = at.apply(i).toBuilder().setSeq(i + 1).setTsMillis(t0 + i * step);
            if (i == 0) {
                s.putTimeouts("tcp_timeout_established", 432_000).putTimeouts("tcp_timeout_time_wait", 120)
                        .putTimeouts("udp_timeout", 30);
            }
            out.onNext(AgentMessage.newBuilder().setSample(s).build());
        }
        out.onCompleted();
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(n, acks[0], host);
        ch.shutdownNow();
    }

    static JsonObject capacity(String... extra) {
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[] {"capacity", "--server", addr, "--format", "json", "--window"}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        return FleetQueriesTest.json(args).getAsJsonObject();
    }

    @Test
    void everyHostSaysWhatItCanAffordAndWhatToDo() {
        JsonObject cap = capacity("36h");
        JsonArray hosts = cap.getAsJsonArray("hosts");
        assertEquals(5, hosts.size());

        JsonObject leak = FleetQueriesTest.find(hosts, "gw-leak");
        assertEquals("investigate", leak.get("action").getAsString(), leak.toString());
        assertEquals(262_144, leak.get("recommended_max").getAsLong(), "no raise");
        assertEquals(0, leak.get("additional_memory_bytes").getAsLong());
        assertEquals(8 * GIB, leak.get("host_memory_bytes").getAsLong());
        assertEquals(2 * GIB, leak.get("memory_cap_bytes").getAsLong());
        assertTrue(leak.get("demand_estimate").isJsonNull());
        assertFalse(leak.get("capped").getAsBoolean());
        String evidence = leak.getAsJsonArray("evidence").toString();
        assertTrue(evidence.contains("tcp ESTABLISHED the most") && evidence.contains("432000 s")
                && evidence.contains("10.1.20.7:5432/tcp"), evidence);
        assertEquals("sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=86400",
                leak.getAsJsonArray("commands").get(0).getAsString());

        JsonObject full = FleetQueriesTest.find(hosts, "gw-full");
        assertEquals("raise", full.get("action").getAsString());
        // 65,536 + 10 refused/s x 120 s.
        assertEquals(65_536 + 1_200, full.get("demand_estimate").getAsLong(), 60);
        assertEquals(131_072, full.get("recommended_max").getAsLong(), "66,736 x 1.5 -> 131,072");
        assertTrue(full.get("note").getAsString().startsWith("full: the plan starts from the demand"), full.toString());
        assertTrue(full.getAsJsonArray("commands").toString().contains("nf_conntrack_max=131072"));

        // Full earlier, not now: planned from the burst's demand, and full_at says when that was.
        JsonObject burst = FleetQueriesTest.find(hosts, "gw-burst");
        assertEquals("raise", burst.get("action").getAsString());
        assertEquals(65_536 + 1_200, burst.get("demand_estimate").getAsLong(), 60);
        long fullAt = java.time.Instant.parse(burst.get("full_at").getAsString()).toEpochMilli();
        assertTrue(fullAt >= burstAt - MIN && fullAt <= burstAt + 10 * MIN, burst.toString());
        assertTrue(burst.get("note").getAsString().startsWith("last full at ")
                && burst.get("note").getAsString().contains(", now 31 %: the plan starts from the demand its"
                        + " clamped count hid then"), burst.toString());

        JsonObject small = FleetQueriesTest.find(hosts, "gw-small");
        assertTrue(small.get("capped").getAsBoolean(), small.toString());
        assertEquals(2_097_152, small.get("needed_max").getAsLong());
        // The most 512 MiB buys, to a quarter step: 1.75 x 2^20 entries and as many hash slots (462 MiB).
        assertEquals(1_835_008, small.get("recommended_max").getAsLong());
        assertEquals(1_835_008, small.get("recommended_buckets").getAsLong());
        assertEquals(GIB / 2, small.get("memory_cap_bytes").getAsLong());
        assertTrue(small.get("memory_bytes").getAsLong() <= GIB / 2);
        assertTrue(small.get("note").getAsString().contains("25% of MemTotal 2.00 GiB is 512.0 MiB: capped at"
                + " nf_conntrack_max 1,835,008"), small.toString());
        assertEquals("raise", small.get("action").getAsString());
        assertTrue(small.getAsJsonArray("commands").toString().contains("nf_conntrack_max=1835008")
                && small.getAsJsonArray("commands").toString().contains("echo 1835008 > /sys/module/nf_conntrack"
                        + "/parameters/hashsize"), small.toString());

        JsonObject old = FleetQueriesTest.find(hosts, "gw-old");
        assertTrue(old.get("host_memory_bytes").isJsonNull() && old.get("memory_cap_bytes").isJsonNull(), old.toString());
        assertTrue(old.get("note").getAsString().contains("MemTotal unknown"), old.toString());

        long total = 0;
        long additional = 0;
        for (var e : hosts) {
            total += e.getAsJsonObject().get("memory_bytes").getAsLong();
            additional += e.getAsJsonObject().get("additional_memory_bytes").getAsLong();
        }
        assertEquals(total, cap.get("total_memory_bytes").getAsLong());
        assertEquals(additional, cap.get("total_additional_memory_bytes").getAsLong());
        assertEquals(full.get("additional_memory_bytes").getAsLong() + burst.get("additional_memory_bytes").getAsLong()
                + small.get("additional_memory_bytes").getAsLong(), additional, "only the raises ask for more");
    }

    @Test
    void theMemoryShareIsAFlagCheckedByTheCliAndTheServer() throws Exception {
        JsonObject all = FleetQueriesTest.find(capacity("36h", "--max-memory-share", "1").getAsJsonArray("hosts"),
                "gw-small");
        assertFalse(all.get("capped").getAsBoolean(), all.toString());
        assertEquals(2_097_152, all.get("recommended_max").getAsLong());
        assertEquals(2 * GIB, all.get("memory_cap_bytes").getAsLong());

        for (String bad : new String[] {"0", "1.5", "-0.2", "NaN"}) {
            EndToEndTest.Result r = EndToEndTest.cli("capacity", "--server", addr, "--max-memory-share", bad);
            assertEquals(2, r.code(), bad + ": " + r.err());
            assertTrue(r.err().contains("--max-memory-share") && !r.err().contains("\tat "), r.err());
        }
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> QueryGrpc.newBlockingStub(ch)
                    .capacity(CapacityRequest.newBuilder().setMaxMemoryShare(1.5).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("max_memory_share"), e.getStatus().getDescription());
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void theTableAndTheHostViewShowTheActionTheCapAndTheMemory() {
        EndToEndTest.Result table = EndToEndTest.cli("capacity", "--server", addr, "--window", "36h");
        assertEquals(0, table.code(), table.err());
        String out = table.out();
        assertTrue(out.lines().skip(1).findFirst().orElseThrow().startsWith("gw-leak   investigate"), out);
        assertTrue(out.contains("Investigate, do not raise (1):") && out.contains("Full, now or earlier in the window: planned from the demand")
                && out.contains("Capped: ") && out.contains("Fleet total to reserve"), out);

        JsonObject host = FleetQueriesTest.json("host", "gw-small", "--server", addr, "--format", "json")
                .getAsJsonObject();
        assertEquals(2 * GIB, host.get("host_memory_bytes").getAsLong());
        assertTrue(host.getAsJsonObject("capacity").has("capped"), host.toString());
        EndToEndTest.Result view = EndToEndTest.cli("host", "gw-old", "--server", addr);
        assertTrue(view.out().contains("host memory unknown"), view.out());
        EndToEndTest.Result burst = EndToEndTest.cli("host", "gw-burst", "--server", addr);
        assertTrue(burst.out().contains("raise: full in the window, its count clamped at 65536; its demand is at least"),
                burst.out());
        assertTrue(burst.out().contains("last full at ") && burst.out().contains(", now 31 %: its count was clamped at"
                + " max then"), burst.out());
    }
}
