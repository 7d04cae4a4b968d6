package ctfleet.server.fleet;

/**
 * Lower one timeout.
 *
 * @param sysctl           full name, e.g. {@code net.netfilter.nf_conntrack_tcp_timeout_time_wait}
 * @param affectedEntries  entries currently held under that timeout
 * @param estimatedFreed   affectedEntries × (1 − suggested / current), the steady-state estimate
 * @param message          the advice as one sentence for a human
 * @param command          the runtime command ({@code sysctl -w ...=N})
 * @param caveat           what may break
 */
public record TimeoutAdvice(
        String sysctl,
        long currentSeconds,
        long suggestedSeconds,
        long affectedEntries,
        long estimatedFreed,
        String message,
        String command,
        String caveat) {}
