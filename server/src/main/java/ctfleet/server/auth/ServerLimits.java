package ctfleet.server.auth;

import java.time.Duration;

/**
 * What one client may cost the server.
 *
 * @param maxMessageBytes       largest inbound gRPC message; a sample is a few KiB, so 1 MiB is generous
 * @param maxHosts              distinct host ids the server stores; a new host beyond it is RESOURCE_EXHAUSTED
 * @param maxStreamsPerClient   concurrent agent streams per client (certificate host id, else IP address)
 * @param maxCallsPerConnection concurrent calls (HTTP/2 streams) on one connection
 * @param clockSkew             how far ahead of the server's clock a sample's timestamp may be
 */
public record ServerLimits(int maxMessageBytes, int maxHosts, int maxStreamsPerClient, int maxCallsPerConnection,
        Duration clockSkew) {
    public static final ServerLimits DEFAULTS = new ServerLimits(1 << 20, 10_000, 4, 256, Duration.ofMinutes(5));

    public ServerLimits {
        if (maxMessageBytes < 1024 || maxHosts < 1 || maxStreamsPerClient < 1 || maxCallsPerConnection < 1
                || clockSkew.isNegative()) {
            throw new IllegalArgumentException("limits must be positive (message size at least 1024 bytes)");
        }
        // Raw samples are keyed by host_ref * 2^42 + ts (store.SampleKey): host refs stay below 2^21.
        if (maxHosts > MAX_HOSTS) {
            throw new IllegalArgumentException("--max-hosts is at most " + MAX_HOSTS + ", got " + maxHosts);
        }
    }

    public static final int MAX_HOSTS = 1_000_000;
}
