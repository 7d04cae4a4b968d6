package ctfleet.agent.sample;

import ctfleet.agent.procfs.EntryListener;
import ctfleet.agent.procfs.ParsedEntry;
import ctfleet.agent.procfs.ReadSummary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the entries of one read of {@code /proc/net/nf_conntrack} into an {@link EntrySample}.
 * One aggregator per read: feed it to {@code EntryTableReader} as the listener, then call
 * {@link #result}.
 *
 * <p>Endpoints are taken from the original tuple, the direction the connection was opened in:
 * its dst is the service being reached, its src the client. Memory is bounded whatever the table
 * size (see {@link KeyCounter}): exact for a sample, approximate only for a full scan of a table
 * with more than {@value #EXACT_LIMIT} distinct endpoints.
 *
 * <p>Per line it reads the parser's reused view and counts numbers: addresses become text only
 * for the few endpoints that make the top lists, in {@link #result}.
 */
public final class EntryAggregator implements EntryListener {

    public static final int DEFAULT_TOP_K = 10;
    public static final int DEFAULT_RAW_LINES = 5;
    /** Distinct endpoints counted exactly before switching to a sketch; far above a 2000-line sample. */
    static final int EXACT_LIMIT = 16_384;
    /** Space-Saving counters per top list, as a multiple of K: 10x keeps the top K's error small. */
    static final int SKETCH_FACTOR = 10;

    // Endpoint keys are three longs: the address's high and low 64 bits (IPv4 in low), then a tag.
    private static final long IPV4 = TopList.IPV4;

    private final int topK;
    private final int rawLines;
    private final StateCounts states = new StateCounts();
    private final KeyCounter destinations;
    private final KeyCounter sources;
    private final List<String> raw = new ArrayList<>();
    private long entries;
    private long parseErrors;
    private long assured;
    private long unreplied;
    private long offloaded;
    // The last state's counter, reused while consecutive entries share it: saves a lookup per line.
    private StateCounts.Counter lastState;

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
        this.destinations = new KeyCounter(EXACT_LIMIT, capacity);
        this.sources = new KeyCounter(EXACT_LIMIT, capacity);
    }

    @Override
    public void onParsed(ParsedEntry e, byte[] line, int off, int len) {
        entries++;
        StateCounts.Counter state = state(e);
        state.count++;
        if (e.assured()) {
            assured++;
        }
        if (e.unreplied()) {
            unreplied++;
            // Which timeout to lower depends on what the unreplied entries are (SYN_SENT tcp, udp, icmp).
            state.unreplied++;
        }
        if (e.offloaded()) {
            offloaded++;
        }
        int dst = ParsedEntry.ORIGINAL_DST;
        int port = e.hasPorts(ParsedEntry.ORIGINAL) ? e.dport(ParsedEntry.ORIGINAL) : 0;
        destinations.add(e.addressHigh(dst), e.addressLow(dst),
                ((long) state.protocolId << 33) | (e.ipv4(dst) ? IPV4 : 0) | (port & 0xffffffffL));
        int src = ParsedEntry.ORIGINAL_SRC;
        sources.add(e.addressHigh(src), e.addressLow(src), e.ipv4(src) ? IPV4 : 0);
        if (raw.size() < rawLines) {
            raw.add(new String(line, off, len, StandardCharsets.ISO_8859_1));
        }
    }

    @Override
    public void onMalformed(byte[] line, int off, int len, String reason) {
        parseErrors++;
    }

    private StateCounts.Counter state(ParsedEntry e) {
        StateCounts.Counter c = lastState;
        // The parser hands out the same String for the same name, so identity is the common fast path.
        if (c == null || c.family != e.family() || c.protocol != e.protocol() || c.state != e.state()) {
            c = states.get(e.family(), e.protocol(), e.state());
            lastState = c;
        }
        return c;
    }

    /** The aggregates; {@code read} says whether the whole table was read. */
    public EntrySample result(ReadSummary read) {
        List<EntrySample.StateCount> stateCounts = new ArrayList<>();
        Map<String, Long> unrepliedByProtocol = new TreeMap<>();
        for (StateCounts.Counter c : states.all()) {
            stateCounts.add(new EntrySample.StateCount(c.family, c.protocol, c.state, c.count));
            if (c.unreplied > 0) {
                unrepliedByProtocol.merge(c.protocol, c.unreplied, Long::sum);
            }
        }
        stateCounts.sort(Comparator.comparingLong(EntrySample.StateCount::sampled).reversed()
                .thenComparing(EntrySample.StateCount::family)
                .thenComparing(EntrySample.StateCount::protocol)
                .thenComparing(EntrySample.StateCount::state));
        TopList dst = new TopList(topK, states::protocol);
        destinations.forEach(dst);
        TopList src = new TopList(topK, id -> "");
        sources.forEach(src);
        return new EntrySample(entries, parseErrors, read.wholeTable(), List.copyOf(stateCounts),
                assured, unreplied, offloaded, destinations.approximate() || sources.approximate(),
                dst.endpoints(true), src.endpoints(false), List.copyOf(raw), unrepliedByProtocol);
    }
}
