package ctfleet.server.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
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
    void negativeCountAndFutureTimestampAreRefusedWithTheFieldAndSeq() throws Exception {
        Outcome neg = exchange(hello("gw-1"), msg(sample(7, System.currentTimeMillis()).toBuilder().setCount(-1).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, neg.status().getCode());
        assertTrue(neg.status().getDescription().contains("seq 7") && neg.status().getDescription().contains("count"),
                neg.status().getDescription());
        Outcome future = exchange(hello("gw-1"), msg(sample(8, System.currentTimeMillis() + 3_600_000)));
        assertEquals(Status.Code.INVALID_ARGUMENT, future.status().getCode());
        assertTrue(future.status().getDescription().contains("ahead"), future.status().getDescription());
    }

    @Test
    void aNonPositiveMemTotalIsRefusedAndNamed() throws Exception {
        Outcome zero = exchange(hello("gw-1"), msg(sample(9, System.currentTimeMillis()).toBuilder()
                .setMemTotalBytes(0).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, zero.status().getCode());
        assertTrue(zero.status().getDescription().contains("seq 9")
                && zero.status().getDescription().contains("mem_total_bytes"), zero.status().getDescription());
        Outcome fine = exchange(hello("gw-1"), msg(sample(10, System.currentTimeMillis()).toBuilder()
                .setMemTotalBytes(4L << 30).build()));
        assertEquals(Status.Code.OK, fine.status().getCode());
    }
}
