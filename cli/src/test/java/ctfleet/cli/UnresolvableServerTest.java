package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A --server whose name does not resolve: one line that says so, and none of grpc-java's logging
 * (a WARNING with the UnknownHostException's stack trace) unless CTFLEET_DEBUG asks for it.
 */
class UnresolvableServerTest {
    static final String NOWHERE = "nosuchhost.invalid:7777";

    @Test
    void topSaysTheHostDoesNotResolveInOneLine() throws Exception {
        CliProcess.Result r = CliProcess.here().run("top", "--server", NOWHERE);
        assertEquals(1, r.code(), r.all());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("cannot resolve host nosuchhost.invalid"), r.err());
    }

    @Test
    void checkIsUnknownWithTheSameLine() throws Exception {
        CliProcess.Result r = CliProcess.here().run("check", "--server", NOWHERE);
        assertEquals(3, r.code(), r.all());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("cannot resolve host nosuchhost.invalid"), r.err());
    }

    @Test
    void agentLogsItsOwnLinesOnly() throws Exception {
        CliProcess.Result r = CliProcess.agent().run("--server", NOWHERE, "--once", "--ack-timeout", "2s",
                "--proc-root", FaultSupport.PROC.toAbsolutePath().toString());
        assertEquals(1, r.code(), r.all());
        assertFalse(r.all().contains("\tat ") || r.all().contains("WARNING"), r.all());
        assertTrue(r.err().contains("cannot resolve host nosuchhost.invalid"), r.err());
    }

    @Test
    void debugKeepsTheDetail() throws Exception {
        CliProcess.Result r = CliProcess.here().env("CTFLEET_DEBUG", "1").run("top", "--server", NOWHERE);
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("UnknownHostException"), r.err());
    }
}
