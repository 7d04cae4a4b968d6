package ctfleet.cli.importer;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

/**
 * How to cut an import into query_range calls (pure). Each call asks for at most
 * {@link #MAX_STEPS} steps (Prometheus refuses more than 11,000 points per series, and 10,000 is
 * also the import RPC's cap per request, so one host's share of a call is one request), and for
 * about {@code pointBudget} points in all (steps x series), far below Prometheus' default
 * max-samples of 50 million so that one answer stays a few tens of megabytes.
 *
 * <p>Calls go host group by host group, oldest chunk first: each group's history is complete before
 * the next group starts, which is what "hosts done" counts.
 */
public record ImportPlan(long startMillis, long endMillis, long stepMillis, List<Group> groups,
                         List<Query> queries) {
    public static final int MAX_STEPS = 10_000;

    /** Hosts (values of the host label) fetched together. */
    public record Group(int index, List<String> hostValues) {}

    public record Query(Group group, long startMillis, long endMillis, boolean lastOfGroup) {}

    /**
     * @param start          first instant wanted; rounded up to a multiple of the step
     * @param end            last instant wanted; rounded down to a multiple of the step
     * @param seriesPerHost  host label value -> its number of series (from /api/v1/series), in order
     */
    public static ImportPlan of(long start, long end, long step, SortedMap<String, Integer> seriesPerHost,
                                long pointBudget) {
        if (step <= 0) {
            throw new IllegalArgumentException("step must be positive");
        }
        long first = alignUp(start, step);
        long last = Math.floorDiv(end, step) * step;
        if (last < first) {
            return new ImportPlan(first, last, step, List.of(), List.of());
        }
        long totalSteps = (last - first) / step + 1;
        int widest = seriesPerHost.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        long steps = Math.max(1, Math.min(Math.min(MAX_STEPS, totalSteps), pointBudget / Math.max(1, widest)));
        long seriesPerQuery = Math.max(widest, pointBudget / steps);

        List<Group> groups = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long series = 0;
        for (var e : seriesPerHost.entrySet()) {
            if (!current.isEmpty() && series + e.getValue() > seriesPerQuery) {
                groups.add(new Group(groups.size(), List.copyOf(current)));
                current.clear();
                series = 0;
            }
            current.add(e.getKey());
            series += e.getValue();
        }
        if (!current.isEmpty()) {
            groups.add(new Group(groups.size(), List.copyOf(current)));
        }
        List<Query> queries = new ArrayList<>();
        for (Group g : groups) {
            for (long from = first; from <= last; from += steps * step) {
                long to = Math.min(last, from + (steps - 1) * step);
                queries.add(new Query(g, from, to, to == last));
            }
        }
        return new ImportPlan(first, last, step, List.copyOf(groups), List.copyOf(queries));
    }

    // Steps on multiples of the step since the epoch: two imports of overlapping ranges ask for the
    // very same instants, so the second finds its samples already stored instead of near-duplicates.
    static long alignUp(long t, long step) {
        return Math.floorDiv(t + step - 1, step) * step;
    }

    public int hosts() {
        return groups.stream().mapToInt(g -> g.hostValues().size()).sum();
    }
}
