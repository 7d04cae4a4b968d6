package ctfleet.server.store;

import java.util.Map;

/** What an agent says about its host when a stream opens. */
public record HostHello(String hostId, Map<String, String> labels, String kernel, String agentVersion,
                        long droppedSamples) {
    public HostHello {
        labels = Map.copyOf(labels);
    }
}
