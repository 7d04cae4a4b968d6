package ctfleet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.Ack;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent's command line against a real gRPC server on a loopback port that plays the collector. */
class AgentMainTest {
    static final Path PROC = Path.of("src/test/resources/proc");

    final List<AgentMessage> received = new CopyOnWriteArrayList<>();
    volatile boolean acknowledge = true;
    Server server;

    String startCollector() throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new CollectorGrpc.CollectorImplBase() {
                    @Override
                    public StreamObserver<AgentMessage> stream(StreamObserver<ServerMessage> out) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(AgentMessage m) {
                                received.add(m);
                                if (m.hasSample() && acknowledge) {
                                    out.onNext(ServerMessage.newBuilder()
                                            .setAck(Ack.newBuilder().setSeq(m.getSample().getSeq())).build());
                                }
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {
                                out.onCompleted();
                            }
                        };
                    }
                })
                .build()
                .start();
        return "127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void onceSendsHelloAndOneSampleAndExitsZeroWhenAcknowledged() throws Exception {
        String addr = startCollector();
        Run r = agent("--server", addr, "--host-id", "gw-1", "--label", "dc=fra1",
                "--proc-root", PROC.resolve("new-kernel-4cpu").toString(), "--once");
        assertEquals(0, r.code, r.err);
        assertEquals(2, received.size());
        assertEquals("gw-1", received.get(0).getHello().getHostId());
        assertEquals("fra1", received.get(0).getHello().getLabelsMap().get("dc"));
        Sample s = received.get(1).getSample();
        assertEquals(ConntrackStatus.CONNTRACK_STATUS_LOADED, s.getStatus());
        assertEquals(250000, s.getCount());
        assertEquals(262144, s.getMax());
        assertEquals(12, s.getStatsMap().get("early_drop"));
        assertEquals(432000L, s.getTimeoutsMap().get("tcp_timeout_established"));
    }

    @Test
    void onceExitsNonZeroWithOneLineReasonWhenNotAcknowledged() throws Exception {
        acknowledge = false;
        String addr = startCollector();
        Run r = agent("--server", addr, "--proc-root", PROC.resolve("new-kernel-4cpu").toString(),
                "--host-id", "gw-1", "--once", "--ack-timeout", "500ms");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("not acknowledged"), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    @Test
    void onceWithNoServerListeningExitsNonZero() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = agent("--server", "127.0.0.1:" + port, "--host-id", "gw-1",
                "--proc-root", PROC.resolve("new-kernel-4cpu").toString(), "--once", "--ack-timeout", "2s");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("not acknowledged") && r.err.contains("UNAVAILABLE"), r.err);
    }

    @Test
    void hostWithoutConntrackIsReportedNotFatal() throws Exception {
        String addr = startCollector();
        Run r = agent("--server", addr, "--host-id", "bare", "--proc-root", PROC.resolve("no-conntrack").toString(),
                "--once");
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("conntrack not loaded"), r.err);
        assertEquals(ConntrackStatus.CONNTRACK_STATUS_NOT_LOADED, received.get(1).getSample().getStatus());
    }

    @Test
    void intervalAndSpoolSizeOutOfRangeAreUsageErrors() {
        for (String bad : new String[] {"0s", "99ms", "2h"}) {
            Run r = agent("--server", "127.0.0.1:1", "--interval", bad, "--once");
            assertEquals(2, r.code, bad + ": " + r.err);
            assertTrue(r.err.contains("--interval must be from 100ms to 1h, got " + bad) && r.err.contains("Usage:"), r.err);
        }
        Run spool = agent("--server", "127.0.0.1:1", "--spool-max", "0");
        assertEquals(2, spool.code, spool.err);
        assertTrue(spool.err.contains("--spool-max must be at least 1MiB") && spool.err.contains("Usage:"), spool.err);
    }

    @Test
    void badFlagsAreUsageErrorsWithExitTwo() {
        Run r = agent("--server", "127.0.0.1:1", "--interval", "10x");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--interval") && r.err.contains("Usage:"), r.err);
        Run id = agent("--server", "127.0.0.1:1", "--host-id", "bad host", "--once");
        assertEquals(2, id.code);
        assertTrue(id.err.contains("--host-id"), id.err);
    }

    @Test
    void printNeedsNoServer() throws Exception {
        Run r = agent("--print", "--proc-root", PROC.resolve("old-kernel-2cpu").toString());
        assertEquals(0, r.code, r.err);
        Sample s = com.google.protobuf.TextFormat.parse(r.out, Sample.class);
        assertEquals(32768, s.getCount());
        assertTrue(s.getStatsMap().containsKey("delete_list"));
    }

    @Test
    void rawLinesAreSentOnlyWhenAskedAndMaskedAddressesNeverInFull() {
        String root = PROC.resolve("netns-full").toString();
        Run plain = agent("--proc-root", root, "--print");
        assertEquals(0, plain.code, plain.err);
        assertTrue(plain.out.contains("top_destinations"), plain.out);
        assertFalse(plain.out.contains("raw_entries"), "no raw line by default: " + plain.out);

        Run masked = agent("--proc-root", root, "--print", "--raw-lines", "2", "--mask-addresses");
        assertEquals(0, masked.code, masked.err);
        assertEquals(2, masked.out.lines().filter(l -> l.trim().startsWith("raw_entries:")).count(), masked.out);
        assertTrue(masked.out.contains("address: \"127.0.1.0/24\""), masked.out);
        assertFalse(masked.out.contains("127.0.1.3") || masked.out.contains("127.0.0.1"),
                "no full address leaves the host: " + masked.out);

        Run tooMany = agent("--proc-root", root, "--print", "--raw-lines", "33");
        assertEquals(2, tooMany.code, tooMany.err);
        assertTrue(tooMany.err.contains("--raw-lines must be 0 to 32"), tooMany.err);
    }

    @Test
    void aMaxThatIsNotANumberIsAOneLineErrorNamingTheFileNotUnlimited(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path nf = java.nio.file.Files.createDirectories(tmp.resolve("sys/net/netfilter"));
        java.nio.file.Files.writeString(nf.resolve("nf_conntrack_count"), "5\n");
        java.nio.file.Files.writeString(nf.resolve("nf_conntrack_max"), "abc\n");
        Run r = agent("--print", "--proc-root", tmp.toString());
        assertEquals(1, r.code, r.out);
        assertTrue(r.err.contains("nf_conntrack_max") && r.err.contains("not a number"), r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line, no stack trace: " + r.err);
        assertFalse(r.out.contains("max"), "no sample printed: " + r.out);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // before the fix the streaming case ran on, sampling nothing
    void aProcRootThatDoesNotExistIsAUsageErrorNotConntrackNotLoaded(@org.junit.jupiter.api.io.TempDir Path spool) throws Exception {
        String addr = startCollector();
        String typo = PROC.resolve("no-such-root").toString();
        assertUsageErrorNaming(typo, agent("--print", "--proc-root", typo));
        assertUsageErrorNaming(typo, agent("--server", addr, "--host-id", "gw-1", "--once", "--proc-root", typo));
        assertUsageErrorNaming(typo, agent("--server", addr, "--host-id", "gw-1", "--proc-root", typo,
                "--spool-dir", spool.toString()));
        assertTrue(received.isEmpty(), "nothing reached the server: " + received);
    }

    private static void assertUsageErrorNaming(String root, Run r) {
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains("--proc-root " + root + ": no such directory"), r.err);
        assertFalse(r.err.contains("conntrack not loaded") || r.err.contains("Exception"), r.err);
    }

    record Run(int code, String out, String err) {}

    static Run agent(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = AgentMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
