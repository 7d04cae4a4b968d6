package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The one-line messages say what is wrong in the user's terms, not Java's. */
class MessagesTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void unreadableFilesSayWhy() {
        assertTrue(cli("top", "--tls-ca", "/nonexistent").err()
                .contains("cannot read --tls-ca /nonexistent: no such file or directory"));
        assertTrue(cli("top", "--tls-ca", "/tmp").err().contains("cannot read --tls-ca /tmp: is a directory"));
        assertTrue(cli("top", "--token-file", "/nonexistent").err()
                .contains("cannot read --token-file /nonexistent: no such file or directory"));
        Result t = cli("gen-token", "/nonexistent/dir/t", "--role", "reader");
        assertEquals(1, t.code(), t.err());
        assertEquals("ctfleet gen-token: cannot create /nonexistent/dir/t: no such file or directory", t.err().strip());
    }

    @Test
    void anUnreachablePrometheusSaysHow() {
        Result r = cli("import", "--prometheus", "http://127.0.0.1:1", "--server", "127.0.0.1:1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("cannot reach http://127.0.0.1:1: connection refused"), r.err());
        r = cli("import", "--prometheus", "http://nosuchhost.invalid:9090", "--server", "127.0.0.1:1");
        assertTrue(r.err().contains("cannot reach http://nosuchhost.invalid:9090: unknown host"), r.err());
    }

    @Test
    void anEmptyLabelFilterIsNotAnEmptyFleet() throws Exception {
        try (CtfleetServer server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), Database.open(tmp.resolve("db")),
                Clock.systemUTC()).start()) {
            String addr = "127.0.0.1:" + server.port();
            Result top = cli("top", "--server", addr, "--label", "dc=nowhere");
            assertEquals("no host matches the label filter --label dc=nowhere", top.out().strip(), top.err());
            Result cap = cli("capacity", "--server", addr, "--label", "dc=nowhere");
            assertEquals("no host matches the label filter --label dc=nowhere", cap.out().strip(), cap.err());
            assertEquals("no hosts have reported yet", cli("top", "--server", addr).out().strip());
        }
    }
}
