package ctfleet.server.query;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ctfleet.proto.v1.EndpointEstimate;
import ctfleet.proto.v1.StateEstimate;
import ctfleet.server.fleet.StateCount;
import ctfleet.server.fleet.StateSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A host's latest sampled-entry breakdown, scaled from the sample to the whole table: each sampled
 * count times {@code count / sample_size}. The head of the kernel's table is close to a uniform
 * sample (hash-bucket order under a random key), which is what makes the scaling fair.
 */
record EntryBreakdown(long sampleSize, long parseErrors, double scale, List<StateEstimate> states,
                      List<EndpointEstimate> destinations, List<EndpointEstimate> sources, long assured,
                      long unreplied, Map<String, Long> unrepliedByProtocol, List<String> raw) {

    static final EntryBreakdown NONE = new EntryBreakdown(0, 0, 0, List.of(), List.of(), List.of(), 0, 0, Map.of(),
            List.of());

    static EntryBreakdown parse(String json, long count) {
        if (json == null || json.isBlank()) {
            return NONE;
        }
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        long size = o.get("sample_size").getAsLong();
        if (size == 0) {
            return NONE;
        }
        double scale = (double) count / size;
        List<StateEstimate> states = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("states")) {
            JsonObject s = e.getAsJsonObject();
            states.add(StateEstimate.newBuilder().setFamily(s.get("family").getAsString())
                    .setProtocol(s.get("protocol").getAsString()).setState(s.get("state").getAsString())
                    .setEstimated(Math.round(s.get("sampled").getAsLong() * scale)).build());
        }
        Map<String, Long> unreplied = new TreeMap<>();
        if (o.has("unreplied_by_protocol")) {
            o.getAsJsonObject("unreplied_by_protocol").entrySet()
                    .forEach(e -> unreplied.put(e.getKey(), Math.round(e.getValue().getAsLong() * scale)));
        }
        List<String> raw = new ArrayList<>();
        o.getAsJsonArray("raw_entries").forEach(r -> raw.add(r.getAsString()));
        return new EntryBreakdown(size, o.get("parse_errors").getAsLong(), scale, states,
                endpoints(o.getAsJsonArray("top_destinations"), scale), endpoints(o.getAsJsonArray("top_sources"), scale),
                Math.round(o.get("assured").getAsLong() * scale), Math.round(o.get("unreplied").getAsLong() * scale),
                unreplied, raw);
    }

    private static List<EndpointEstimate> endpoints(JsonArray a, double scale) {
        List<EndpointEstimate> out = new ArrayList<>();
        for (JsonElement e : a) {
            JsonObject p = e.getAsJsonObject();
            out.add(EndpointEstimate.newBuilder().setAddress(p.get("address").getAsString())
                    .setPort(p.get("port").getAsInt()).setProtocol(p.get("protocol").getAsString())
                    .setEstimated(Math.round(p.get("sampled").getAsLong() * scale)).build());
        }
        return out;
    }

    /** The fleet logic's view, for timeout advice. */
    StateSample stateSample() {
        List<StateCount> counts = new ArrayList<>();
        for (StateEstimate s : states) {
            counts.add(new StateCount(s.getFamily(), s.getProtocol(), s.getState(), s.getEstimated()));
        }
        return new StateSample(counts, unrepliedByProtocol);
    }
}
