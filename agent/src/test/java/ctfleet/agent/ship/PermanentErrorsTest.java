package ctfleet.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PermanentErrorsTest {
    private static final Set<Status.Code> PERMANENT = EnumSet.of(Status.Code.INVALID_ARGUMENT,
            Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.UNIMPLEMENTED);

    @Test
    void rejectionsAreNotRetriedBlindlyAndEverythingElseIs() {
        for (Status.Code code : Status.Code.values()) {
            assertEquals(PERMANENT.contains(code), PermanentErrors.isPermanent(code), code.name());
        }
    }

    @Test
    void classifiesStreamErrors() {
        assertTrue(PermanentErrors.isPermanent(Status.UNAUTHENTICATED.withDescription("bad token").asRuntimeException()));
        assertFalse(PermanentErrors.isPermanent(Status.UNAVAILABLE.asException()));
        assertFalse(PermanentErrors.isPermanent(new IOException("connection reset")));
    }
}
