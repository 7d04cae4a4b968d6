package ctfleet.agent.kernel;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/** How many flows of each kind to hold open; travels to {@link FlowMaker} as "kind=n,kind=n". */
public record FlowPlan(Map<FlowKind, Integer> counts) {

    public FlowPlan {
        EnumMap<FlowKind, Integer> copy = new EnumMap<>(FlowKind.class);
        counts.forEach((kind, n) -> {
            if (n < 0) {
                throw new IllegalArgumentException("negative count for " + kind);
            }
            if (n > 0) {
                copy.put(kind, n);
            }
        });
        counts = Collections.unmodifiableMap(copy);
    }

    public static FlowPlan parse(String spec) {
        Map<FlowKind, Integer> counts = new EnumMap<>(FlowKind.class);
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected kind=n, got " + part);
            }
            counts.merge(FlowKind.bySpecName(kv[0].strip()), Integer.parseInt(kv[1].strip()), Integer::sum);
        }
        return new FlowPlan(counts);
    }

    public String spec() {
        return counts.entrySet().stream()
                .map(e -> e.getKey().specName() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    public int count(FlowKind kind) {
        return counts.getOrDefault(kind, 0);
    }

    /** Conntrack entries the plan leaves in an otherwise idle namespace. */
    public int totalEntries() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
