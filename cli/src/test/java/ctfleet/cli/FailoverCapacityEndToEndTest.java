package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.Sample;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HA pairs through a real server and the real CLI: two gateways that failed over to each other
 * yesterday, and two that never did but are declared a pair by their label, are each planned to
 * hold both loads, in JSON, CSV and the table; a host beside them is not.
 */
class FailoverCapacityEndToEndTest {
    static final long MAX = 131_072;
    static final long MINUTE = 60_000;
    static final int TWO_DAYS = 2 * 1440;

    @TempDir
    static Path tmp;

    static CtfleetServer server;
    static String addr;

    @BeforeAll
    static void fleet() throws Exception {
        server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(tmp.resolve("db")), Clock.systemUTC()).start();
        addr = "127.0.0.1:" + server.port();
        long now = System.currentTimeMillis() / MINUTE * MINUTE - 2 * MINUTE;
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        try {
            ImportGrpc.ImportBlockingStub imports = ImportGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS);
            // gw-a's 45 % moved onto gw-b's 40 % from 20 to 17 hours ago, and back.
            imports.importSamples(minutes("gw-a", now, 1, ago -> ago <= 1200 && ago > 1020 ? 0.01 : 0.45));
            imports.importSamples(minutes("gw-b", now, 2, ago -> ago <= 1200 && ago > 1020 ? 0.85 : 0.40));
            imports.importSamples(minutes("gw-solo", now, 3, ago -> 0.45));
            // A pair its operator declared (label ha_pair), which has not failed over in these two days.
            imports.importSamples(minutes("gw-c", now, 4, ago -> 0.45).toBuilder().putLabels("ha_pair", "edge-1")
                    .build());
            imports.importSamples(minutes("gw-d", now, 5, ago -> 0.40).toBuilder().putLabels("ha_pair", "edge-1")
                    .build());
            // A declaration with a typo on its partner: the label is on this host only.
            imports.importSamples(minutes("gw-e", now, 6, ago -> 0.40).toBuilder().putLabels("ha_pair", "edge-2")
                    .build());
        } finally {
            ch.shutdownNow();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static ImportRequest minutes(String host, long now, long seed, IntToDoubleFunction fill) {
        Random r = new Random(seed);
        ImportRequest.Builder b = ImportRequest.newBuilder().setHostId(host).setResolutionMillis(MINUTE);
        for (int ago = TWO_DAYS - 1; ago >= 0; ago--) {
            long count = Math.round((fill.applyAsDouble(ago) + 0.004 * r.nextGaussian()) * MAX);
            b.addSamples(Sample.newBuilder().setTsMillis(now - ago * MINUTE)
                    .setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(Math.max(0, Math.min(MAX, count)))
                    .setMax(MAX).setBuckets(MAX).setBootId("b1").putStats("drop", 0).putStats("early_drop", 0)
                    .putStats("insert_failed", 0));
        }
        return b.build();
    }

    /** 36 hours (raw samples) hold yesterday's failover: the pair is found in the last two days either way. */
    @Test
    void eachOfThePairIsSizedToHoldBothAndSaysSo() {
        JsonArray hosts = FleetQueriesTest.json("capacity", "--server", addr, "--format", "json", "--window", "36h")
                .getAsJsonObject().getAsJsonArray("hosts");
        // Alone, 45 % × 1.5 fits today's max; together, 85 % × 1.5 needs the next power of two.
        for (String[] pair : new String[][] {{"gw-a", "gw-b"}, {"gw-b", "gw-a"}}) {
            JsonObject p = FleetQueriesTest.find(hosts, pair[0]);
            assertEquals(pair[1], p.get("failover_partner").getAsString(), p.toString());
            assertEquals(0.85 * MAX, p.get("failover_peak").getAsLong(), 0.03 * MAX, p.toString());
            assertEquals("raise", p.get("action").getAsString(), p.toString());
            assertEquals(262_144, p.get("recommended_max").getAsLong(), p.toString());
        }
        for (String[] pair : new String[][] {{"gw-c", "gw-d"}, {"gw-d", "gw-c"}}) {
            JsonObject p = FleetQueriesTest.find(hosts, pair[0]);
            assertEquals(pair[1], p.get("failover_partner").getAsString(), p.toString());
            assertEquals(262_144, p.get("recommended_max").getAsLong(), p.toString());
            assertTrue(p.get("evidence").toString().contains("failover partner " + pair[1]
                    + " (label ha_pair=edge-1): no failover in the last 2 days"), p.toString());
        }
        for (String alone : new String[] {"gw-solo", "gw-e"}) {
            JsonObject p = FleetQueriesTest.find(hosts, alone);
            assertTrue(p.get("failover_partner").isJsonNull(), p.toString());
        }
        String lone = "label ha_pair=edge-2 is on one host only (gw-e): a pair needs it on both gateways, so gw-e is"
                + " planned alone";
        JsonArray warnings = FleetQueriesTest.json("capacity", "--server", addr, "--format", "json", "--window", "36h")
                .getAsJsonObject().getAsJsonArray("warnings");
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals(lone, warnings.get(0).getAsString());
        // A query for a part of the fleet (a label filter without gw-e) hears nothing of gw-e's label.
        assertEquals(0, FleetQueriesTest.json("capacity", "--server", addr, "--format", "json", "--window", "36h",
                "--label", "ha_pair=edge-1").getAsJsonObject().getAsJsonArray("warnings").size());
        JsonObject solo = FleetQueriesTest.find(hosts, "gw-solo");
        assertTrue(solo.get("failover_partner").isJsonNull() && solo.get("failover_peak").isJsonNull(), solo.toString());
        assertEquals("keep", solo.get("action").getAsString(), solo.toString());

        EndToEndTest.Result table = EndToEndTest.cli("capacity", "--server", addr, "--window", "36h");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("Failover pairs: each sized to hold both loads (4):")
                && table.out().contains("gw-a: peak ") && table.out().contains("sized to hold gw-b's"),
                table.out());
        assertTrue(table.out().contains("Check these declarations (1):\n  - label ha_pair=edge-2 is on one host only"),
                table.out());

        EndToEndTest.Result csv = EndToEndTest.cli("capacity", "--server", addr, "--window", "36h", "--format", "csv");
        String header = csv.out().lines().findFirst().orElseThrow();
        assertTrue(header.endsWith(",capped,failover_partner,failover_peak"), header);
        assertTrue(csv.out().lines().anyMatch(l -> l.startsWith("gw-a,raise,") && l.contains(",gw-b,")), csv.out());
        assertTrue(csv.out().lines().noneMatch(l -> l.contains("warning")), csv.out());
        assertEquals("ctfleet capacity: warning: " + lone, csv.err().strip());
    }
}
