package ctfleet.server.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.ImportResponse;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.proto.v1.TopRequest;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real import service, store and ranking over the in-process transport. */
class ImportServiceTest {
    static final long MINUTE = 60_000;

    @TempDir
    Path dir;

    CtfleetServer server;
    ManagedChannel channel;
    Database db;
    ImportGrpc.ImportBlockingStub imports;
    long base;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        db = Database.open(dir.resolve("db"));
        server = new CtfleetServer(InProcessServerBuilder.forName(name).directExecutor(), db, Clock.systemUTC())
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
        imports = ImportGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        base = (System.currentTimeMillis() / MINUTE - 24 * 60) * MINUTE; // a day ago, on a minute
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.close();
    }

    static Sample sample(long ts, long count) {
        return Sample.newBuilder().setTsMillis(ts).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                .setCount(count).setMax(1000).putStats("drop", 3).putStats("insert_failed", 1).build();
    }

    ImportRequest minutes(String host, int n, long countBase) {
        ImportRequest.Builder r = ImportRequest.newBuilder().setHostId(host).putLabels("job", "node")
                .setResolutionMillis(MINUTE);
        for (int i = 0; i < n; i++) {
            r.addSamples(sample(base + i * MINUTE, countBase + i));
        }
        return r.build();
    }

    long scalar(String sql) throws Exception {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void storesHistoryAndAReimportStoresNothingNew() throws Exception {
        ImportResponse first = imports.importSamples(minutes("gw-a", 100, 10));
        assertEquals(100, first.getStored());
        ImportResponse again = imports.importSamples(minutes("gw-a", 100, 10));
        assertEquals(0, again.getStored());
        assertEquals(100, again.getDuplicate());
        assertEquals(100, scalar("SELECT COUNT(*) FROM samples WHERE source = 1"));
    }

    @Test
    void differentValuesForAnImportedInstantAreConflictsAndTheFirstStays() throws Exception {
        imports.importSamples(minutes("gw-a", 10, 10));
        ImportResponse changed = imports.importSamples(minutes("gw-a", 10, 500));
        assertEquals(10, changed.getConflict());
        assertEquals(10, scalar("SELECT MIN(ct_count) FROM samples"));
    }

    @Test
    void importedPointsNearLiveSamplesAreSkippedSoLiveDataIsNotDuplicated() throws Exception {
        // The agent reported every 10 s for minutes 20..29; Prometheus has a point every minute 0..59.
        List<AgentMessage> live = new ArrayList<>();
        live.add(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("gw-a")).build());
        for (long t = base + 20 * MINUTE + 3_000; t < base + 30 * MINUTE; t += 10_000) {
            live.add(AgentMessage.newBuilder().setSample(sample(t, 42).toBuilder().setSeq(live.size())).build());
        }
        stream(live);
        long liveRows = scalar("SELECT COUNT(*) FROM samples WHERE source = 0");
        assertEquals(60, liveRows);

        ImportResponse r = imports.importSamples(minutes("gw-a", 60, 10));
        // Live samples at 20:03 .. 29:53: minutes 20..30 each have one less than a minute away, 19 does not.
        assertEquals(11, r.getCoveredByLive());
        assertEquals(49, r.getStored());
        assertEquals(liveRows, scalar("SELECT COUNT(*) FROM samples WHERE source = 0"));
    }

    @Test
    void importNeverReplacesALiveLatestStateButLiveReplacesAnImportedOne() throws Exception {
        imports.importSamples(minutes("gw-old", 5, 10));
        assertEquals(1, scalar("SELECT source FROM host_latest"), "an imported host's latest is marked imported");

        stream(List.of(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("gw-old")).build(),
                AgentMessage.newBuilder().setSample(sample(base + 2 * MINUTE + 500, 777).toBuilder().setSeq(1)).build()));
        assertEquals(0, scalar("SELECT source FROM host_latest"), "a live sample wins even when older");
        assertEquals(777, scalar("SELECT ct_count FROM host_latest"));

        // Newer imported history than the live sample still does not take the latest state over.
        ImportRequest later = ImportRequest.newBuilder().setHostId("gw-old").setResolutionMillis(MINUTE)
                .addSamples(sample(base + 600 * MINUTE, 5)).build();
        assertEquals(1, imports.importSamples(later).getStored());
        assertEquals(777, scalar("SELECT ct_count FROM host_latest"));
    }

    @Test
    void importedHostRanksFromItsNewestImportedSample() {
        imports.importSamples(minutes("gw-a", 30, 900));
        var top = QueryGrpc.newBlockingStub(channel).top(TopRequest.getDefaultInstance());
        assertEquals(1, top.getHostsCount());
        assertEquals("gw-a", top.getHosts(0).getHost());
        assertEquals(929, top.getHosts(0).getCount());
        assertEquals("crit", top.getHosts(0).getStatus());
        assertEquals("node", top.getHosts(0).getLabelsMap().get("job"));
    }

    @Test
    void anInvalidSampleIsCountedAndTheRestStored() {
        ImportRequest r = minutes("gw-a", 3, 10).toBuilder()
                .addSamples(sample(base + 10 * MINUTE, -5))
                .addSamples(sample(System.currentTimeMillis() + 3_600_000, 5))
                .build();
        ImportResponse resp = imports.importSamples(r);
        assertEquals(3, resp.getStored());
        assertEquals(2, resp.getInvalid());
        assertTrue(resp.getFirstInvalidReason().startsWith("samples[3]"), resp.getFirstInvalidReason());
        assertTrue(resp.getFirstInvalidReason().contains("count"), resp.getFirstInvalidReason());
    }

    @Test
    void moreThanTheCapIsInvalidArgument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> imports.importSamples(minutes("gw-a", ImportService.MAX_SAMPLES + 1, 0)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("at most 10000"), e.getStatus().getDescription());
    }

    @Test
    void badHostIdIsInvalidArgumentNamingTheField() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> imports.importSamples(minutes("gw a:9100", 1, 0)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("import: host_id"), e.getStatus().getDescription());
    }

    @Test
    void countersRestartingWithoutABootIdAreNotAWrapOfTwoTo32() {
        // node_exporter history without node_boot_time_seconds: drop climbs 10 a minute, restarts at
        // minute 30 (a restart or a CPU gone offline) and climbs again. Not 2^32 - 290 drops.
        ImportRequest.Builder r = ImportRequest.newBuilder().setHostId("gw-reset").setResolutionMillis(MINUTE);
        long now = System.currentTimeMillis() / MINUTE * MINUTE;
        for (int i = 0; i < 60; i++) {
            long drop = i < 30 ? 10L * i : 10L * (i - 30);
            r.addSamples(sample(now - (59 - i) * MINUTE, 500).toBuilder().putStats("drop", drop));
        }
        assertEquals(60, imports.importSamples(r.build()).getStored());
        var top = QueryGrpc.newBlockingStub(channel).top(TopRequest.getDefaultInstance());
        assertTrue(top.getHosts(0).getDropsPerSecond() < 1, top.getHosts(0).toString());
    }

    @Test
    void anAgentTakingOverFromImportedHistoryIsNotAReboot() throws Exception {
        // Prometheus' history says boot-<boot time>, the agent says the kernel's boot id: the same boot,
        // with 3,000,000 drops since it. The switch must not count them all as one minute's drops.
        long now = System.currentTimeMillis() / MINUTE * MINUTE;
        ImportRequest.Builder r = ImportRequest.newBuilder().setHostId("gw-seen").setResolutionMillis(MINUTE);
        for (int ago = 60; ago > 5; ago--) {
            r.addSamples(sample(now - ago * MINUTE, 500).toBuilder().setBootId("boot-1700000000")
                    .putStats("drop", 3_000_000));
        }
        imports.importSamples(r.build());
        List<AgentMessage> live = new ArrayList<>();
        live.add(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("gw-seen")).build());
        for (int ago = 5; ago >= 0; ago--) {
            live.add(AgentMessage.newBuilder().setSample(sample(now - ago * MINUTE + 1_000, 500).toBuilder()
                    .setSeq(live.size()).setBootId("5f0c2a9e-8d1b-4c3e-9a7f-2b6d1e0c4f83").putStats("drop", 3_000_000))
                    .build());
        }
        stream(live);
        var top = QueryGrpc.newBlockingStub(channel).top(TopRequest.getDefaultInstance()).getHosts(0);
        assertEquals(0, top.getDropsPerSecond(), top.toString());
        assertFalse(top.getReason().contains("reboot"), top.getReason());
    }

    @Test
    void importedPointsFinerThanTheAgentsIntervalDoNotInterleaveWithLiveData() throws Exception {
        // The agent reported every minute (at :07) for minutes 20..29; Prometheus has a point every 15 s.
        List<AgentMessage> live = new ArrayList<>();
        live.add(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("gw-a")).build());
        for (long t = base + 20 * MINUTE + 7_000; t < base + 30 * MINUTE; t += MINUTE) {
            live.add(AgentMessage.newBuilder().setSample(sample(t, 42).toBuilder().setSeq(live.size())).build());
        }
        stream(live);
        assertEquals(10, scalar("SELECT COUNT(*) FROM samples WHERE source = 0"));

        long step = 15_000;
        ImportRequest.Builder r = ImportRequest.newBuilder().setHostId("gw-a").setResolutionMillis(step);
        for (int i = 0; i < 240; i++) {
            r.addSamples(sample(base + i * step, 10));
        }
        ImportResponse resp = imports.importSamples(r.build());
        // Every step closer than the agent's minute to a live sample, 19:15 to 30:00, is covered.
        assertEquals(44, resp.getCoveredByLive());
        assertEquals(196, resp.getStored());
        assertEquals(0, scalar("SELECT COUNT(*) FROM samples WHERE source = 1 AND id BETWEEN "
                + "(SELECT MIN(id) FROM samples WHERE source = 0) AND (SELECT MAX(id) FROM samples WHERE source = 0)"));
    }

    @Test
    void aLiveSampleCoversTheAgentsIntervalOrTheStepWhicheverIsLarger() {
        long[] everyMinute = {0, 60_000, 120_000, 180_000, 7_200_000};
        assertEquals(60_000, ImportService.LiveCoverage.window(everyMinute, 15_000), "a gap is not the interval");
        assertEquals(300_000, ImportService.LiveCoverage.window(everyMinute, 300_000));
        assertEquals(15_000, ImportService.LiveCoverage.window(new long[] {5}, 15_000));
    }

    @Test
    void liveCoverageIsStrictlyCloserThanOneStep() {
        long[] live = {1_000, 5_000};
        assertTrue(ImportService.LiveCoverage.covers(live, 1_000, 60));
        assertTrue(ImportService.LiveCoverage.covers(live, 1_059, 60));
        assertFalse(ImportService.LiveCoverage.covers(live, 1_060, 60));
        assertTrue(ImportService.LiveCoverage.covers(live, 4_941, 60));
        assertFalse(ImportService.LiveCoverage.covers(live, 4_940, 60));
        assertFalse(ImportService.LiveCoverage.covers(new long[0], 4_940, 60));
    }

    private void stream(List<AgentMessage> messages) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<AgentMessage> in = CollectorGrpc.newStub(channel).stream(new StreamObserver<ServerMessage>() {
            @Override
            public void onNext(ServerMessage m) {}

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        messages.forEach(in::onNext);
        in.onCompleted();
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }
}
