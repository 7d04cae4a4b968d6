package ctfleet.server.query;

import ctfleet.server.fleet.HostFacts;
import ctfleet.server.fleet.StateCount;
import ctfleet.server.fleet.StateSample;
import ctfleet.server.store.SampledEntries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A host's latest sampled-entry breakdown scaled from the sample to the whole table: each sampled
 * count times {@code count / sample_size}. The head of the kernel's table is close to a uniform
 * sample (hash-bucket order under a random key), which is what makes the scaling fair.
 *
 * @param destinations the most frequent destinations, most first
 * @param sources      the most frequent sources (port 0, no protocol), most first
 */
public record EntryEstimates(long sampleSize, long parseErrors, List<StateCount> states,
                             List<Endpoint> destinations, List<Endpoint> sources, long assured, long unreplied,
                             Map<String, Long> unrepliedByProtocol, List<String> raw) {

    /** An address (and for a destination its port and protocol) with its estimated entries. */
    public record Endpoint(String address, int port, String protocol, long estimated) {}

    public static final EntryEstimates NONE = new EntryEstimates(0, 0, List.of(), List.of(), List.of(), 0, 0, Map.of(),
            List.of());

    public EntryEstimates {
        states = List.copyOf(states);
        destinations = List.copyOf(destinations);
        sources = List.copyOf(sources);
        unrepliedByProtocol = Map.copyOf(unrepliedByProtocol);
        raw = List.copyOf(raw);
    }

    /** The breakdown scaled to a table of {@code count} entries; none without a breakdown or a sample. */
    static EntryEstimates of(Optional<SampledEntries> sampled, long count) {
        if (sampled.isEmpty() || sampled.get().sampleSize() == 0) {
            return NONE;
        }
        SampledEntries e = sampled.get();
        double scale = (double) count / e.sampleSize();
        List<StateCount> states = new ArrayList<>(e.states().size());
        for (SampledEntries.State s : e.states()) {
            states.add(new StateCount(s.family(), s.protocol(), s.state(), Math.round(s.sampled() * scale)));
        }
        Map<String, Long> unreplied = new TreeMap<>();
        e.unrepliedByProtocol().forEach((protocol, n) -> unreplied.put(protocol, Math.round(n * scale)));
        return new EntryEstimates(e.sampleSize(), e.parseErrors(), states, endpoints(e.topDestinations(), scale),
                endpoints(e.topSources(), scale), Math.round(e.assured() * scale), Math.round(e.unreplied() * scale),
                unreplied, e.rawEntries());
    }

    private static List<Endpoint> endpoints(List<SampledEntries.Endpoint> sampled, double scale) {
        List<Endpoint> out = new ArrayList<>(sampled.size());
        for (SampledEntries.Endpoint p : sampled) {
            out.add(new Endpoint(p.address(), p.port(), p.protocol(), Math.round(p.sampled() * scale)));
        }
        return out;
    }

    /** The fleet logic's view, for timeout advice and capacity plans. */
    StateSample stateSample() {
        return new StateSample(states, unrepliedByProtocol);
    }

    /** The destinations as the capacity plan reads them. */
    List<HostFacts.Destination> destinationFacts() {
        List<HostFacts.Destination> out = new ArrayList<>(destinations.size());
        for (Endpoint e : destinations) {
            out.add(new HostFacts.Destination(e.address(), e.port(), e.protocol(), e.estimated()));
        }
        return out;
    }
}
