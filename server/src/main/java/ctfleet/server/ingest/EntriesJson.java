package ctfleet.server.ingest;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ctfleet.proto.v1.Endpoint;
import ctfleet.proto.v1.EntrySummary;
import ctfleet.proto.v1.StateCount;

/** The sampled-entry breakdown as the JSON text the store keeps (portable: a VARCHAR column). */
final class EntriesJson {
    private EntriesJson() {}

    static String encode(EntrySummary e) {
        JsonObject o = new JsonObject();
        o.addProperty("sample_size", e.getSampleSize());
        o.addProperty("parse_errors", e.getParseErrors());
        o.addProperty("full_scan", e.getFullScan());
        o.addProperty("assured", e.getAssured());
        o.addProperty("unreplied", e.getUnreplied());
        JsonArray states = new JsonArray();
        for (StateCount s : e.getStatesList()) {
            JsonObject j = new JsonObject();
            j.addProperty("family", s.getFamily());
            j.addProperty("protocol", s.getProtocol());
            j.addProperty("state", s.getState());
            j.addProperty("sampled", s.getSampled());
            states.add(j);
        }
        o.add("states", states);
        o.add("top_destinations", endpoints(e.getTopDestinationsList()));
        o.add("top_sources", endpoints(e.getTopSourcesList()));
        JsonArray raw = new JsonArray();
        e.getRawEntriesList().forEach(raw::add);
        o.add("raw_entries", raw);
        JsonObject unreplied = new JsonObject();
        new java.util.TreeMap<>(e.getUnrepliedByProtocolMap()).forEach(unreplied::addProperty);
        o.add("unreplied_by_protocol", unreplied);
        return o.toString();
    }

    private static JsonArray endpoints(java.util.List<Endpoint> list) {
        JsonArray a = new JsonArray();
        for (Endpoint p : list) {
            JsonObject j = new JsonObject();
            j.addProperty("address", p.getAddress());
            j.addProperty("port", p.getPort());
            j.addProperty("protocol", p.getProtocol());
            j.addProperty("sampled", p.getSampled());
            a.add(j);
        }
        return a;
    }
}
