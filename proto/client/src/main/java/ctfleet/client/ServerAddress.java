package ctfleet.client;

import ctfleet.common.HostPort;

/**
 * The server a command talks to when it is told where (its {@code --server}), else where
 * {@code $CTFLEET_SERVER} says, else the server's own default address: the rule the CLI and the
 * simulator share.
 */
public final class ServerAddress {
    public static final String DEFAULT = "127.0.0.1:7777";

    private ServerAddress() {}

    /** An {@link IllegalArgumentException} names the flag and what is wrong with it. */
    public static HostPort resolve(String flag) {
        String s = flag != null ? flag : System.getenv().getOrDefault("CTFLEET_SERVER", DEFAULT);
        try {
            return HostPort.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server: " + e.getMessage());
        }
    }
}
