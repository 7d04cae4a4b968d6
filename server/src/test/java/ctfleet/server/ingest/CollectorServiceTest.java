package ctfleet.server.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.Ack;
import ctfleet.proto.v1.HistoryRequest;
import ctfleet.proto.v1.HistoryResponse;
import ctfleet.proto.v1.QueryGrpc;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real service and store, in-process transport: what the stream answers to good and bad input. */
class CollectorServiceTest extends AgentStreamHarness {
    @Test
    void acknowledgesEverySampleInOrderAndMarksReplays() throws Exception {
        long now = System.currentTimeMillis();
        Outcome o = exchange(hello("gw-1"), msg(sample(1, now - 2000)), msg(sample(2, now - 1000)),
                msg(sample(1, now - 2000)));
        assertEquals(Status.Code.OK, o.status().getCode());
        assertEquals(3, o.messages().size());
        assertEquals(1, o.messages().get(0).getAck().getSeq());
        assertEquals(2, o.messages().get(1).getAck().getSeq());
        assertTrue(o.messages().get(2).getAck().getDuplicate());
    }

    @Test
    void sampleBeforeHelloIsInvalidArgument() throws Exception {
        Outcome o = exchange(msg(sample(1, System.currentTimeMillis())));
        assertEquals(Status.Code.INVALID_ARGUMENT, o.status().getCode());
        assertTrue(o.status().getDescription().contains("hello"), o.status().getDescription());
    }

    @Test
    void badHostIdNamesTheField() throws Exception {
        Outcome o = exchange(hello("no spaces allowed"));
        assertEquals(Status.Code.INVALID_ARGUMENT, o.status().getCode());
        assertTrue(o.status().getDescription().startsWith("hello.host_id"), o.status().getDescription());
    }

    @Test
    void aSampleThatCannotBeStoredIsAcknowledgedAsRejectedInItsPlaceAndTheStreamGoesOn() throws Exception {
        long now = System.currentTimeMillis();
        Outcome o = exchange(hello("gw-1"), msg(sample(6, now - 3000)),
                msg(sample(7, now - 2000).toBuilder().setCount(-1).build()),
                msg(sample(8, now + 3_600_000)),
                msg(sample(9, now - 1000)));
        assertEquals(Status.Code.OK, o.status().getCode(), "the stream ends as the agent ends it");
        assertEquals(List.of(6L, 7L, 8L, 9L), o.messages().stream().map(m -> m.getAck().getSeq()).toList(),
                "one answer per sample, in order");
        Ack negative = o.messages().get(1).getAck();
        assertTrue(negative.getRejected(), negative.toString());
        assertEquals("sample seq 7: count is negative (-1)", negative.getReason());
        Ack future = o.messages().get(2).getAck();
        assertTrue(future.getRejected() && future.getReason().startsWith("sample seq 8: ts_millis ")
                && future.getReason().contains("ahead"), future.toString());
        assertFalse(o.messages().get(0).getAck().getRejected() || o.messages().get(3).getAck().getRejected());
        HistoryResponse stored = QueryGrpc.newBlockingStub(channel).history(HistoryRequest.newBuilder()
                .setHost("gw-1").setSinceSeconds(3600).setStep("raw").build());
        assertEquals(List.of(now - 3000, now - 1000), stored.getPointsList().stream().map(p -> p.getTsMillis()).toList(),
                "nothing of a rejected sample is stored");
    }

    @Test
    void aNonPositiveMemTotalIsRejectedAndNamed() throws Exception {
        Outcome zero = exchange(hello("gw-1"), msg(sample(9, System.currentTimeMillis()).toBuilder()
                .setMemTotalBytes(0).build()));
        assertEquals(Status.Code.OK, zero.status().getCode());
        Ack ack = zero.messages().get(0).getAck();
        assertTrue(ack.getRejected() && ack.getReason().startsWith("sample seq 9: mem_total_bytes"), ack.toString());
        Outcome fine = exchange(hello("gw-1"), msg(sample(10, System.currentTimeMillis()).toBuilder()
                .setMemTotalBytes(4L << 30).build()));
        assertEquals(Status.Code.OK, fine.status().getCode());
        assertFalse(fine.messages().get(0).getAck().getRejected());
    }
}
