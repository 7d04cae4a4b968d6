package ctfleet.common;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Keeps libraries' INFO chatter (Flyway's migration log, Netty's epoll probe) off an operator's terminal. */
public final class Logging {
    // JUL holds loggers weakly: keep them, or the levels are forgotten at the next GC.
    private static final List<Logger> QUIET = List.of(
            Logger.getLogger("org.flywaydb"), Logger.getLogger("io.grpc"));

    private Logging() {}

    public static void quietLibraries() {
        if (System.getenv("CTFLEET_DEBUG") == null) {
            QUIET.forEach(l -> l.setLevel(Level.WARNING));
        }
    }
}
