package ctfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator against a real server on a loopback port with an H2 file, checked through the server's Top. */
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

    record Result(int code, String out, String err) {}

    static Result simulate(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = SimulateCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    List<HostRank> top() throws InterruptedException {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        try {
            return QueryGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .top(TopRequest.getDefaultInstance()).getHostsList();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static long figure(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+(\\d+)").matcher(out);
        assertTrue(m.find(), name + " in:\n" + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void twentyHostsAreAllAcknowledgedAndRankedWithPlausibleValues() throws Exception {
        Instant before = Instant.now();
        Result r = simulate("--server", addr, "--hosts", "20", "--interval", "10s",
                "--duration", "3s", "--speed", "100", "--seed", "7");
        assertEquals(0, r.code(), r.out() + r.err());
        long sent = figure(r.out(), "samples sent");
        assertTrue(sent >= 20 * 20, "about 30 samples per host in 3 s at 100 ms: " + sent);
        assertEquals(sent, figure(r.out(), "samples acknowledged"));
        assertEquals(0, figure(r.out(), "samples lost"));
        assertEquals(0, figure(r.out(), "samples rejected"));

        List<HostRank> hosts = top();
        assertEquals(20, hosts.size(), hosts.toString());
        Set<String> scenarios = new HashSet<>();
        for (HostRank h : hosts) {
            long count = h.getCount();
            long max = h.getMax();
            assertTrue(KERNEL_SIZES.contains(max), "max " + max);
            assertTrue(count > 0 && count <= max, h.toString());
            assertEquals((double) count / max, h.getFill(), 1e-9);
            Instant seen = Instant.ofEpochMilli(h.getLastSeenMillis());
            // A compressed run's history ends about now, and never in the future.
            assertTrue(seen.isAfter(before.minusSeconds(60)) && !seen.isAfter(Instant.now()), seen.toString());
            scenarios.add(h.getLabelsOrThrow("scenario"));
        }
        assertEquals(Set.of("flat", "diurnal", "growth", "leak", "spike", "full", "pair"), scenarios, "the mix has every kind");
        HostRank first = hosts.get(0);
        assertEquals("full", first.getLabelsOrThrow("scenario"), "the full host ranks first");
        assertEquals(1.0, first.getFill());
        // Pinned at max with early_drop and drop climbing: the kernel is refusing connections now.
        assertEquals("dropping", first.getStatus());
        assertTrue(first.getEarlyDropsPerSecond() + first.getDropsPerSecond() > 0, first.toString());
    }

    @Test
    void unknownScenarioIsAUsageError() {
        Result r = simulate("--server", addr, "--hosts", "2", "--scenario", "chaos");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("ctfleet simulate: --scenario 'chaos'") && r.err().contains("diurnal")
                && r.err().contains("Usage: ctfleet simulate"), r.err());
    }

    @Test
    void unreachableServerLosesEverySampleAndSaysSoInOneLine() throws Exception {
        int freePort;
        try (var s = new java.net.ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        Result r = simulate("--server", "127.0.0.1:" + freePort, "--hosts", "5",
                "--interval", "1s", "--duration", "5s", "--speed", "10", "--drain", "1s");
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(figure(r.out(), "samples sent"), figure(r.out(), "samples lost"));
        assertTrue(figure(r.out(), "samples sent") > 0);
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
