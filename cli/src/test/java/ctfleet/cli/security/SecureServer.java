package ctfleet.cli.security;

import ctfleet.server.CtfleetServer;
import ctfleet.server.auth.SecureListener;
import ctfleet.server.auth.ServerSecurityOptions;
import ctfleet.server.store.Database;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine;

/** A real server on a loopback port, configured by the same security flags as {@code ctfleet server}. */
final class SecureServer implements AutoCloseable {
    final CtfleetServer server;
    final SecureListener listener;
    final List<String> log = new CopyOnWriteArrayList<>();

    SecureServer(Path db, String... securityFlags) throws Exception {
        ServerSecurityOptions opts = new ServerSecurityOptions();
        new CommandLine(opts).parseArgs(securityFlags);
        listener = opts.listen(new InetSocketAddress("127.0.0.1", 0), log::add);
        server = new CtfleetServer(listener.builder(), Database.open(db), Clock.systemUTC(), listener.guard()).start();
    }

    String addr() {
        return "localhost:" + server.port();
    }

    @Override
    public void close() throws Exception {
        server.close();
        listener.resources().close();
    }
}
