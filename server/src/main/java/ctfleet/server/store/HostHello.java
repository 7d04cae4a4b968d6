package ctfleet.server.store;

import java.util.Map;
import java.util.OptionalLong;

/**
 * What an agent says about its host when a stream opens.
 *
 * @param clockOffsetMillis the host's clock minus the server's, measured at this hello; empty when
 *                          the agent did not send its clock (an older agent, or an import)
 * @param clockSkewed       the offset is beyond the server's --clock-skew
 */
public record HostHello(String hostId, Map<String, String> labels, String kernel, String agentVersion,
                        long droppedSamples, OptionalLong clockOffsetMillis, boolean clockSkewed) {
    public HostHello {
        labels = Map.copyOf(labels);
    }

    /** Without a clock measurement. */
    public HostHello(String hostId, Map<String, String> labels, String kernel, String agentVersion, long droppedSamples) {
        this(hostId, labels, kernel, agentVersion, droppedSamples, OptionalLong.empty(), false);
    }

    /** This hello with its clock measured. */
    public HostHello withClock(long offsetMillis, boolean skewed) {
        return new HostHello(hostId, labels, kernel, agentVersion, droppedSamples, OptionalLong.of(offsetMillis), skewed);
    }

    /**
     * Says the same as {@code other} for the store: the clock offset of two hellos differs by the
     * network's delay every time, so within a second it is the same.
     */
    boolean sameAs(HostHello other) {
        if (other == null || !hostId.equals(other.hostId) || !labels.equals(other.labels) || !kernel.equals(other.kernel)
                || !agentVersion.equals(other.agentVersion) || droppedSamples != other.droppedSamples
                || clockSkewed != other.clockSkewed || clockOffsetMillis.isPresent() != other.clockOffsetMillis.isPresent()) {
            return false;
        }
        return clockOffsetMillis.isEmpty()
                || Math.abs(clockOffsetMillis.getAsLong() - other.clockOffsetMillis.getAsLong()) < 1000;
    }
}
