package ctfleet.server.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link SampledEntries} as the JSON text the store keeps (portable: a VARCHAR column). The only
 * place that knows the text; rows written by earlier versions read the same (those before
 * {@code unreplied_by_protocol} have none).
 */
final class EntriesJson {
    private EntriesJson() {}

    /** The text for a column; "" when the sample carried no breakdown. */
    static String encode(Optional<SampledEntries> entries) {
        return entries.map(EntriesJson::encode).orElse("");
    }

    static String encode(SampledEntries e) {
        JsonObject o = new JsonObject();
        o.addProperty("sample_size", e.sampleSize());
        o.addProperty("parse_errors", e.parseErrors());
        o.addProperty("full_scan", e.fullScan());
        o.addProperty("assured", e.assured());
        o.addProperty("unreplied", e.unreplied());
        JsonArray states = new JsonArray();
        for (SampledEntries.State s : e.states()) {
            JsonObject j = new JsonObject();
            j.addProperty("family", s.family());
            j.addProperty("protocol", s.protocol());
            j.addProperty("state", s.state());
            j.addProperty("sampled", s.sampled());
            states.add(j);
        }
        o.add("states", states);
        o.add("top_destinations", endpoints(e.topDestinations()));
        o.add("top_sources", endpoints(e.topSources()));
        JsonArray raw = new JsonArray();
        e.rawEntries().forEach(raw::add);
        o.add("raw_entries", raw);
        JsonObject unreplied = new JsonObject();
        e.unrepliedByProtocol().forEach(unreplied::addProperty);
        o.add("unreplied_by_protocol", unreplied);
        return o.toString();
    }

    private static JsonArray endpoints(List<SampledEntries.Endpoint> list) {
        JsonArray a = new JsonArray();
        for (SampledEntries.Endpoint p : list) {
            JsonObject j = new JsonObject();
            j.addProperty("address", p.address());
            j.addProperty("port", p.port());
            j.addProperty("protocol", p.protocol());
            j.addProperty("sampled", p.sampled());
            a.add(j);
        }
        return a;
    }

    /** The breakdown in a column's text; empty for "" (no breakdown was ever sent) or NULL. */
    static Optional<SampledEntries> decode(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        List<SampledEntries.State> states = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("states")) {
            JsonObject s = e.getAsJsonObject();
            states.add(new SampledEntries.State(s.get("family").getAsString(), s.get("protocol").getAsString(),
                    s.get("state").getAsString(), s.get("sampled").getAsLong()));
        }
        Map<String, Long> unreplied = new TreeMap<>();
        if (o.has("unreplied_by_protocol")) {
            o.getAsJsonObject("unreplied_by_protocol").entrySet()
                    .forEach(e -> unreplied.put(e.getKey(), e.getValue().getAsLong()));
        }
        List<String> raw = new ArrayList<>();
        o.getAsJsonArray("raw_entries").forEach(r -> raw.add(r.getAsString()));
        return Optional.of(new SampledEntries(o.get("sample_size").getAsLong(), o.get("parse_errors").getAsLong(),
                o.has("full_scan") && o.get("full_scan").getAsBoolean(), states, o.get("assured").getAsLong(),
                o.get("unreplied").getAsLong(), endpoints(o.getAsJsonArray("top_destinations")),
                endpoints(o.getAsJsonArray("top_sources")), raw, unreplied));
    }

    private static List<SampledEntries.Endpoint> endpoints(JsonArray a) {
        List<SampledEntries.Endpoint> out = new ArrayList<>();
        for (JsonElement e : a) {
            JsonObject p = e.getAsJsonObject();
            out.add(new SampledEntries.Endpoint(p.get("address").getAsString(), p.get("port").getAsInt(),
                    p.get("protocol").getAsString(), p.get("sampled").getAsLong()));
        }
        return out;
    }
}
