package ctfleet.server.auth;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.List;

/**
 * A listening socket's builder with its credentials and limits applied, the {@link Guard} the server
 * must install, lines to tell the operator at start, and what to close at stop (file watchers).
 */
public record SecureListener(NettyServerBuilder builder, Guard guard, List<String> notices, AutoCloseable resources) {
    public SecureListener {
        notices = List.copyOf(notices);
    }
}
