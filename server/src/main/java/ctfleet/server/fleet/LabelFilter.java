package ctfleet.server.fleet;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code k=v} selectors that must all match a host's labels (an empty filter matches every host). */
public record LabelFilter(Map<String, String> required) {
    public static final LabelFilter ALL = new LabelFilter(Map.of());

    public LabelFilter {
        required = Map.copyOf(required);
    }

    /** Parses {@code ["role=lb", "dc=fra1"]}; a selector without '=' or with an empty key is a user error. */
    public static LabelFilter parse(Collection<String> selectors) {
        Map<String, String> req = new LinkedHashMap<>();
        for (String s : selectors) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("label filter must look like key=value, got '" + s + "'");
            }
            String key = s.substring(0, eq).trim();
            String value = s.substring(eq + 1).trim();
            String earlier = req.putIfAbsent(key, value);
            if (earlier != null && !earlier.equals(value)) {
                throw new IllegalArgumentException("label " + key + " cannot be both '" + earlier + "' and '" + value + "'");
            }
        }
        return new LabelFilter(req);
    }

    public boolean matches(Map<String, String> labels) {
        for (var e : required.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
