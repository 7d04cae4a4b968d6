package ctfleet.common;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Keeps libraries' INFO chatter (Flyway's migration log, Netty's epoll probe) off an operator's terminal. */
public final class Logging {
    // JUL holds loggers weakly: keep them, or the levels are forgotten at the next GC.
    private static final List<Logger> QUIET = List.of(
            Logger.getLogger("org.flywaydb"), Logger.getLogger("io.grpc"));
    private static final Logger GRPC = QUIET.get(1);

    private Logging() {}

    public static void quietLibraries() {
        if (System.getenv("CTFLEET_DEBUG") == null) {
            QUIET.forEach(l -> l.setLevel(Level.WARNING));
        }
    }

    /**
     * For the CLI and the agent, which turn every failed call into a line of their own: grpc-java's
     * WARNINGs about the same failure (an unresolvable --server logs the UnknownHostException with
     * its stack trace, again at every retry) only bury that line. CTFLEET_DEBUG keeps them.
     */
    public static void quietClient() {
        quietLibraries();
        if (System.getenv("CTFLEET_DEBUG") == null) {
            GRPC.setLevel(Level.SEVERE);
        }
    }
}
