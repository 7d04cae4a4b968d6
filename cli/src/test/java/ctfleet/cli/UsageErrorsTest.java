package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A mistake in a command line is a usage error: exit 2 (3 for check, which speaks Nagios) with the
 * rule, printed before any call. The "server" here is a listening socket that counts connections:
 * none may arrive.
 */
class UsageErrorsTest {
    record Case(List<String> args, String rule) {}

    static final List<Case> CASES = List.of(
            new Case(List.of("host", ""), "host id '': use 1 to 253 of A-Z a-z 0-9 . _ -"),
            new Case(List.of("host", "x".repeat(254)), "(254 characters)': use 1 to 253"),
            new Case(List.of("host", "gw/1"), "host id 'gw/1': use 1 to 253 of A-Z a-z 0-9 . _ -"),
            new Case(List.of("history", "gw 1"), "host id 'gw 1'"),
            new Case(List.of("history", "gw-1", "--since", "0s"), "--since must be at least 1s, got 0s"),
            new Case(List.of("history", "gw-1", "--since", "-1h"), "--since must be positive (1s to 3650d), got -1h"),
            new Case(List.of("history", "gw-1", "--since", "11y"), "--since must be at most 3650d (10y)"),
            new Case(List.of("top", "--window", "0s"), "--window must be at least 1s"),
            new Case(List.of("top", "--window", "100y"), "--window must be at most 3650d (10y)"),
            new Case(List.of("top", "--label", "=x"), "--label =x: KEY must match [A-Za-z_][A-Za-z0-9_]*"),
            new Case(List.of("top", "--label", "1dc=fra1"), "--label 1dc=fra1: KEY must match"),
            new Case(List.of("host", "gw-1", "--window", "0ms"), "--window must be at least 1s"),
            new Case(List.of("summary", "--window", "0s"), "--window must be at least 1s"),
            new Case(List.of("capacity", "--horizon", "0s"), "--horizon must be at least 1s"),
            new Case(List.of("capacity", "--label", "=x"), "--label =x: KEY must match"),
            new Case(List.of("check", "--window", "-5m"), "--window must be positive"),
            new Case(List.of("top", "--window", "999999999999999999999d"), "--window must be at most 3650d (10y)"),
            new Case(List.of("top", "--window", "999999999999999d"), "--window must be at most 3650d (10y)"),
            new Case(List.of("import", "--prometheus", "http://127.0.0.1:1", "--since", "11y"),
                    "--since must be at most 3650d (10y)"),
            new Case(List.of("import", "--prometheus", "http://127.0.0.1:1", "--since", "999999999999999d"),
                    "--since must be at most 3650d (10y)"),
            new Case(List.of("import", "--prometheus", "http://127.0.0.1:1", "--since", "0s"),
                    "--since must be at least 1s"),
            new Case(List.of("import", "--prometheus", "http://127.0.0.1:1", "--since", "2000-01-01T00:00:00Z"),
                    "--since 2000-01-01T00:00:00Z is more than 3650d (10y) ago"),
            new Case(List.of("import", "--prometheus", "http://127.0.0.1:1", "--until", "2099-01-01T00:00:00Z"),
                    "--until 2099-01-01T00:00:00Z is in the future"),
            new Case(List.of("import", "--prometheus", "http://127.0.0.1:1", "--until", "11y"),
                    "--until must be at most 3650d (10y)"));

    @Test
    void eachMistakeExitsWithItsRuleBeforeAnyCall() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            server.setSoTimeout(1);
            List<String> failures = new ArrayList<>();
            for (Case c : CASES) {
                List<String> args = new ArrayList<>(c.args());
                args.addAll(List.of("--server", "127.0.0.1:" + server.getLocalPort()));
                StringWriter err = new StringWriter();
                CommandLine cl = Cli.commandLine();
                cl.setOut(new PrintWriter(new StringWriter(), true));
                cl.setErr(new PrintWriter(err, true));
                int code = cl.execute(args.toArray(String[]::new));
                int expected = c.args().get(0).equals("check") ? 3 : 2;
                if (code != expected || !err.toString().contains(c.rule()) || !err.toString().contains("Usage:")) {
                    failures.add(c.args() + " -> exit " + code + ": " + err.toString().lines().findFirst().orElse(""));
                }
                assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));
            try {
                server.accept().close();
                throw new AssertionError("a usage error still opened a connection to the server");
            } catch (SocketTimeoutException expected) {
                // nothing connected: every mistake was caught before a call
            }
        }
    }

    @Test
    void agentLabelWithoutAKeyIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cl = ctfleet.agent.AgentMain.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("--server", "127.0.0.1:1", "--label", "=x", "--once");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("--label =x: KEY must match"), err.toString());
    }
}
