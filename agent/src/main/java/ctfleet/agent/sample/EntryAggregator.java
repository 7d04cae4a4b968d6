package ctfleet.agent.sample;

import ctfleet.agent.procfs.ConntrackEntry;
import ctfleet.agent.procfs.EntryListener;
import ctfleet.agent.procfs.ReadSummary;
import ctfleet.agent.procfs.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the entries of one read of {@code /proc/net/nf_conntrack} into an {@link EntrySample}.
 * One aggregator per read: feed it to {@code EntryTableReader} as the listener, then call
 * {@link #result}.
 *
 * <p>Endpoints are taken from the original tuple, the direction the connection was opened in:
 * its dst is the service being reached, its src the client. Memory is bounded whatever the table
 * size (see {@link TopCounter}): exact for a sample, approximate only for a full scan of a table
 * with more than {@value #EXACT_LIMIT} distinct endpoints.
 */
public final class EntryAggregator implements EntryListener {

    public static final int DEFAULT_TOP_K = 10;
    public static final int DEFAULT_RAW_LINES = 5;
    /** Distinct endpoints counted exactly before switching to a sketch; far above a 2000-line sample. */
    static final int EXACT_LIMIT = 16_384;
    /** Space-Saving counters per top list, as a multiple of K: 10x keeps the top K's error small. */
    static final int SKETCH_FACTOR = 10;

    private record StateKey(String family, String protocol, String state) {
    }

    private record DestinationKey(String address, int port, String protocol) {
    }

    private static final Comparator<DestinationKey> DESTINATION_ORDER = Comparator
            .comparing(DestinationKey::address).thenComparingInt(DestinationKey::port)
            .thenComparing(DestinationKey::protocol);

    private final int topK;
    private final int rawLines;
    private final Map<StateKey, long[]> states = new HashMap<>();
    private final TopCounter<DestinationKey> destinations;
    private final TopCounter<String> sources;
    private final List<String> raw = new ArrayList<>();
    private long entries;
    private long parseErrors;
    private long assured;
    private long unreplied;
    private long offloaded;
    // The last state key, reused while consecutive entries share it: saves a lookup key per line.
    private StateKey lastStateKey;
    private long[] lastStateCount;

    public EntryAggregator() {
        this(DEFAULT_TOP_K, DEFAULT_RAW_LINES);
    }

    public EntryAggregator(int topK, int rawLines) {
        if (topK < 1 || rawLines < 0) {
            throw new IllegalArgumentException("topK must be >= 1 and rawLines >= 0");
        }
        this.topK = topK;
        this.rawLines = rawLines;
        int capacity = Math.min(EXACT_LIMIT, topK * SKETCH_FACTOR);
        this.destinations = new TopCounter<>(EXACT_LIMIT, capacity, DESTINATION_ORDER);
        this.sources = new TopCounter<>(EXACT_LIMIT, capacity, Comparator.<String>naturalOrder());
    }

    // Which timeout to lower depends on what the unreplied entries are (SYN_SENT tcp, udp, icmp).
    private final Map<String, long[]> unrepliedByProtocol = new java.util.HashMap<>();

    @Override
    public void onEntry(ConntrackEntry e, byte[] line, int off, int len) {
        entries++;
        countState(e);
        if (e.assured()) {
            assured++;
        }
        if (e.unreplied()) {
            unreplied++;
            unrepliedByProtocol.computeIfAbsent(e.protocol(), p -> new long[1])[0]++;
        }
        if (e.offloaded()) {
            offloaded++;
        }
        Tuple o = e.original();
        destinations.add(new DestinationKey(o.dst(), o.hasPorts() ? o.dport() : 0, e.protocol()));
        sources.add(o.src());
        if (raw.size() < rawLines) {
            raw.add(new String(line, off, len, StandardCharsets.ISO_8859_1));
        }
    }

    @Override
    public void onMalformed(byte[] line, int off, int len, String reason) {
        parseErrors++;
    }

    private void countState(ConntrackEntry e) {
        StateKey k = lastStateKey;
        // Names are interned by the parser, so identity is the common fast path.
        if (k == null || k.family() != e.family() || k.protocol() != e.protocol() || k.state() != e.state()) {
            k = new StateKey(e.family(), e.protocol(), e.state());
            lastStateCount = states.computeIfAbsent(k, x -> new long[1]);
            lastStateKey = k;
        }
        lastStateCount[0]++;
    }

    /** The aggregates; {@code read} says whether the whole table was read. */
    public EntrySample result(ReadSummary read) {
        List<EntrySample.StateCount> stateCounts = new ArrayList<>();
        states.forEach((k, c) -> stateCounts.add(new EntrySample.StateCount(k.family(), k.protocol(), k.state(), c[0])));
        stateCounts.sort(Comparator.comparingLong(EntrySample.StateCount::sampled).reversed()
                .thenComparing(EntrySample.StateCount::family)
                .thenComparing(EntrySample.StateCount::protocol)
                .thenComparing(EntrySample.StateCount::state));
        List<EntrySample.Endpoint> dst = destinations.top(topK).stream()
                .map(c -> new EntrySample.Endpoint(c.key().address(), c.key().port(), c.key().protocol(), c.count()))
                .toList();
        List<EntrySample.Endpoint> src = sources.top(topK).stream()
                .map(c -> new EntrySample.Endpoint(c.key(), 0, "", c.count()))
                .toList();
        return new EntrySample(entries, parseErrors, read.wholeTable(), List.copyOf(stateCounts),
                assured, unreplied, offloaded, destinations.approximate() || sources.approximate(),
                dst, src, List.copyOf(raw), unrepliedCounts());
    }

    private Map<String, Long> unrepliedCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        unrepliedByProtocol.forEach((p, c) -> out.put(p, c[0]));
        return out;
    }
}
