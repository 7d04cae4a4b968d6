package ctfleet.server.auth;

import io.grpc.ServerInterceptor;
import java.util.List;

/**
 * What the server applies to every call: limits, and interceptors in the order they run
 * (authentication first, then per-client limits that need to know the caller).
 */
public record Guard(ServerLimits limits, List<ServerInterceptor> interceptors) {
    public Guard {
        interceptors = List.copyOf(interceptors);
    }

    /** Default limits, nobody authenticated: loopback demos, tests, the simulator. */
    public static Guard open() {
        return new Guard(ServerLimits.DEFAULTS, List.of());
    }
}
