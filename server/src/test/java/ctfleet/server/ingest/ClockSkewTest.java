package ctfleet.server.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.HistoryRequest;
import ctfleet.proto.v1.HistoryResponse;
import ctfleet.proto.v1.HostRequest;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.proto.v1.TopRequest;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A host's clock beyond the server's --clock-skew, either way: the host is shown as clock-skew and
 * its samples are stored at the server's time, so none is acknowledged and then deleted.
 */
class ClockSkewTest extends AgentStreamHarness {
    static final long YEAR = Duration.ofDays(365).toMillis();
    QueryGrpc.QueryBlockingStub query;

    @BeforeEach
    void queries() {
        query = QueryGrpc.newBlockingStub(channel);
    }

    static AgentMessage hello(String id, long agentTime) {
        return AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(id).setAgentTimeMillis(agentTime)).build();
    }

    private List<Long> storedTimes(String host) {
        HistoryResponse h = query.history(HistoryRequest.newBuilder().setHost(host).setSinceSeconds(3600).setStep("raw").build());
        return h.getPointsList().stream().map(p -> p.getTsMillis()).toList();
    }

    private String status(String host) {
        return query.host(HostRequest.newBuilder().setHost(host).build()).getRank().getStatus();
    }

    @Test
    void clockAYearBehindIsStoredAtTheServersTimeAndShownAsClockSkew() throws Exception {
        long now = System.currentTimeMillis();
        long agentNow = now - YEAR;
        Outcome o = exchange(hello("gw-behind", agentNow), msg(sample(1, agentNow - 20_000)), msg(sample(2, agentNow - 10_000)));
        assertEquals(Status.Code.OK, o.status().getCode(), String.valueOf(o.status()));
        ServerMessage report = o.messages().get(0);
        assertTrue(report.hasClock(), "the hello is answered with the measured offset");
        assertTrue(Math.abs(report.getClock().getOffsetMillis() + YEAR) < 5_000, report.toString());
        assertEquals(300_000, report.getClock().getAllowedSkewMillis());
        assertEquals(2, o.messages().stream().filter(ServerMessage::hasAck).count());

        List<Long> stored = storedTimes("gw-behind");
        assertEquals(2, stored.size(), "stored where a recent query finds them: " + stored);
        assertTrue(Math.abs(stored.get(0) - (now - 20_000)) < 5_000, "at the server's time: " + stored);
        assertEquals("clock-skew", status("gw-behind"));
        assertTrue(query.host(HostRequest.newBuilder().setHost("gw-behind").build()).getClockOffsetMillis() < -YEAR + 5_000);
        assertTrue(query.top(TopRequest.getDefaultInstance()).getHostsList().stream()
                .anyMatch(h -> h.getHost().equals("gw-behind") && h.getStatus().equals("clock-skew")));
    }

    @Test
    void clockAheadIsCorrectedTooInsteadOfRefused() throws Exception {
        long now = System.currentTimeMillis();
        Outcome o = exchange(hello("gw-ahead", now + YEAR), msg(sample(1, now + YEAR - 5_000)));
        assertEquals(Status.Code.OK, o.status().getCode(), String.valueOf(o.status()));
        assertTrue(Math.abs(storedTimes("gw-ahead").get(0) - (now - 5_000)) < 5_000);
        assertEquals("clock-skew", status("gw-ahead"));
    }

    @Test
    void clockWithinTheSkewKeepsTheHostsOwnTimesAndStatus() throws Exception {
        long now = System.currentTimeMillis();
        Outcome o = exchange(hello("gw-near", now - 60_000), msg(sample(1, now - 90_000)));
        assertEquals(Status.Code.OK, o.status().getCode());
        assertEquals(List.of(now - 90_000), storedTimes("gw-near"), "within the skew nothing is moved");
        assertFalse(status("gw-near").equals("clock-skew"));
    }

    @Test
    void aFixedClockClearsTheStatus() throws Exception {
        long now = System.currentTimeMillis();
        exchange(hello("gw-fixed", now - YEAR), msg(sample(1, now - YEAR - 10_000)));
        assertEquals("clock-skew", status("gw-fixed"));
        exchange(hello("gw-fixed", System.currentTimeMillis()), msg(sample(2, System.currentTimeMillis())));
        assertFalse(status("gw-fixed").equals("clock-skew"));
    }

    @Test
    void replayAfterAnOutageKeepsItsTimes() throws Exception {
        // An agent with a good clock sends what it spooled during a two-hour outage: old, and right.
        long now = System.currentTimeMillis();
        exchange(hello("gw-replay", now), msg(sample(1, now - 2 * 3_600_000L)), msg(sample(2, now - 1_800_000L)));
        HistoryResponse h = query.history(HistoryRequest.newBuilder().setHost("gw-replay").setSinceSeconds(3 * 3600)
                .setStep("raw").build());
        assertEquals(List.of(now - 2 * 3_600_000L, now - 1_800_000L), h.getPointsList().stream().map(p -> p.getTsMillis()).toList());
        assertFalse(status("gw-replay").equals("clock-skew"));
    }

    @Test
    void sampleSpooledBeforeTheClockWentWrongKeepsItsOwnTime() throws Exception {
        // Stamped by a good clock in an earlier run; the clock now runs a year ahead: moving that
        // sample back a year would hand it to retention.
        long now = System.currentTimeMillis();
        exchange(hello("gw-earlier", now + YEAR), msg(sample(1, now - 60_000)));
        assertEquals(List.of(now - 60_000), storedTimes("gw-earlier"));
    }
}
