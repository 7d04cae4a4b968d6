package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.CapacityRequest;
import ctfleet.proto.v1.HistoryRequest;
import ctfleet.proto.v1.HostRequest;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.SummaryRequest;
import ctfleet.proto.v1.TopRequest;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.SampleWriter;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every field of every query RPC, called over gRPC (in-process, the real server on a real H2 file)
 * with what a client that skipped the CLI's checks could send: INVALID_ARGUMENT naming the field,
 * the value (at most 40 characters of it) and what is allowed; nothing answered as if it were a
 * question.
 */
class QueryValidationTest {
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_760_000_000_000L), ZoneOffset.UTC);
    static final long U64_MAX = -1L; // 2^64 - 1 on the wire
    static final String LONG_ID = "a".repeat(300);

    @TempDir
    Path dir;

    CtfleetServer server;
    ManagedChannel channel;
    QueryGrpc.QueryBlockingStub query;

    @BeforeEach
    void start() throws Exception {
        Database db = Database.open(dir);
        long ref = new HostStore(db).hello(new HostHello("gw-1", Map.of("dc", "fra1"), "6.1", "0.1", 0), 0);
        long ts = CLOCK.millis() - 5_000;
        new SampleWriter(db).write(List.of(new SampleWrite(ref, new SampleRow(ts, true, 1000, 65_536, 16_384, 4096, 0,
                "boot", Map.of("drop", 0L), new TreeMap<>(), 320, true, Optional.empty()), ts)));
        String name = InProcessServerBuilder.generateName();
        server = new CtfleetServer(InProcessServerBuilder.forName(name).directExecutor(), db, CLOCK).start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        query = QueryGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.close();
    }

    @Test
    void hostIdsThatCannotExistAreBadArgumentsNotUnknownHosts() {
        for (String id : new String[] {"", "a b", LONG_ID, "gw\u0000x"}) {
            String host = rejected(q -> q.host(HostRequest.newBuilder().setHost(id).build()));
            String history = rejected(q -> q.history(HistoryRequest.newBuilder().setHost(id).build()));
            for (String m : new String[] {host, history}) {
                assertTrue(m.startsWith("host '") && m.endsWith(": a host id is 1 to 253 of A-Z a-z 0-9 . _ -"), m);
                assertTrue(m.length() < 120, "at most 40 characters of the id: " + m);
            }
        }
        assertEquals("host '" + "a".repeat(40) + "...' (300 characters): a host id is 1 to 253 of A-Z a-z 0-9 . _ -",
                rejected(q -> q.host(HostRequest.newBuilder().setHost(LONG_ID).build())));
        // A well-formed id that never reported is still NOT_FOUND.
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> query.host(HostRequest.newBuilder().setHost("gw-nope").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    @Test
    void labelKeysFollowTheRuleLabelsAreStoredWith() {
        for (String key : new String[] {"", "1a", "a-b", "k".repeat(64)}) {
            String top = rejected(q -> q.top(TopRequest.newBuilder().putLabels(key, "x").build()));
            String capacity = rejected(q -> q.capacity(CapacityRequest.newBuilder().putLabels(key, "x").build()));
            for (String m : new String[] {top, capacity}) {
                assertTrue(m.startsWith("labels key '") && m.contains("[A-Za-z_][A-Za-z0-9_]*"), m);
            }
        }
        assertEquals("labels value of 'dc' ('" + "v".repeat(40) + "...', 256 characters): at most 255 characters",
                rejected(q -> q.top(TopRequest.newBuilder().putLabels("dc", "v".repeat(256)).build())));
        assertEquals(1, query.top(TopRequest.newBuilder().putLabels("dc", "fra1").build()).getHostsCount(),
                "a good filter still answers");
    }

    @Test
    void fillRulesAreZeroOrAFractionOfMax() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.5, 1.5}) {
            String warn = rejected(q -> q.top(TopRequest.newBuilder().setWarnFill(bad).build()));
            assertTrue(warn.startsWith("warn_fill " + bad + ": use 0 (no fill rule) or above 0 and at most 1"), warn);
            String crit = rejected(q -> q.top(TopRequest.newBuilder().setCritFill(bad).build()));
            assertTrue(crit.startsWith("crit_fill " + bad + ":"), crit);
        }
        assertEquals("warn_fill 0.9 is above crit_fill 0.8: a host must reach the warning before the critical fill",
                rejected(q -> q.top(TopRequest.newBuilder().setWarnFill(0.9).setCritFill(0.8).build())));
    }

    @Test
    void secondsFieldsNameThemselvesAndTheirRangeUnsigned() {
        String ranking = ": use 0 (the default, 24h) or 1 to 2592000 (30 days)";
        assertEquals("horizon_seconds 18446744073709551615" + ranking,
                rejected(q -> q.top(TopRequest.newBuilder().setHorizonSeconds(U64_MAX).build())));
        assertEquals("horizon_seconds 2592001" + ranking,
                rejected(q -> q.top(TopRequest.newBuilder().setHorizonSeconds(2_592_001).build())));
        assertEquals("eta_warn_seconds 18446744073709551615" + ranking,
                rejected(q -> q.top(TopRequest.newBuilder().setEtaWarnSeconds(U64_MAX).build())));
        assertEquals("horizon_seconds 18446744073709551615" + ranking,
                rejected(q -> q.host(HostRequest.newBuilder().setHost("gw-1").setHorizonSeconds(U64_MAX).build())));
        assertEquals("horizon_seconds 18446744073709551615" + ranking,
                rejected(q -> q.summary(SummaryRequest.newBuilder().setHorizonSeconds(U64_MAX).build())));
        String history = ": use 0 (the default, 1h) or 1 to 315360000 (3650 days)";
        assertEquals("window_seconds 18446744073709551615" + history,
                rejected(q -> q.top(TopRequest.newBuilder().setWindowSeconds(U64_MAX).build())));
        assertEquals("window_seconds 315360001" + history,
                rejected(q -> q.summary(SummaryRequest.newBuilder().setWindowSeconds(315_360_001).build())));
        assertEquals("since_seconds 18446744073709551615" + history,
                rejected(q -> q.history(HistoryRequest.newBuilder().setHost("gw-1").setSinceSeconds(U64_MAX).build())));
        String plan = ": use 0 (the default, 30d) or 1 to 315360000 (3650 days)";
        assertEquals("horizon_seconds 18446744073709551615" + plan,
                rejected(q -> q.capacity(CapacityRequest.newBuilder().setHorizonSeconds(U64_MAX).build())));
        assertEquals("horizon_seconds 999999999999" + plan,
                rejected(q -> q.capacity(CapacityRequest.newBuilder().setHorizonSeconds(999_999_999_999L).build())));
        assertEquals("window_seconds 999999999999" + plan,
                rejected(q -> q.capacity(CapacityRequest.newBuilder().setWindowSeconds(999_999_999_999L).build())));
    }

    @Test
    void capacityFactorsAndHistoryStepsSayWhatIsAllowed() {
        assertEquals("headroom NaN: use 0 (the default, 1.5) or from 1.0 to 100",
                rejected(q -> q.capacity(CapacityRequest.newBuilder().setHeadroom(Double.NaN).build())));
        assertEquals("headroom 0.5: use 0 (the default, 1.5) or from 1.0 to 100",
                rejected(q -> q.capacity(CapacityRequest.newBuilder().setHeadroom(0.5).build())));
        assertTrue(rejected(q -> q.capacity(CapacityRequest.newBuilder().setMaxMemoryShare(Double.NaN).build()))
                .startsWith("max_memory_share NaN: use 0 (the default, 0.25) or above 0 and at most 1"));
        assertTrue(rejected(q -> q.capacity(CapacityRequest.newBuilder().setMaxMemoryShare(-1).build()))
                .startsWith("max_memory_share -1.0: "));
        assertEquals("step '" + "x".repeat(40) + "...': use raw, 1m, 1h or auto (empty: auto)",
                rejected(q -> q.history(HistoryRequest.newBuilder().setHost("gw-1").setStep("x".repeat(100)).build())));
    }

    @Test
    void aLimitAboveTwoToTheThirtyOneIsEveryHostNotNone() {
        assertEquals(1, query.top(TopRequest.newBuilder().setLimit(-1).build()).getHostsCount());
    }

    /** The call's INVALID_ARGUMENT description; fails on any other outcome. */
    private String rejected(Function<QueryGrpc.QueryBlockingStub, Object> call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call.apply(query));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        return e.getStatus().getDescription();
    }
}
