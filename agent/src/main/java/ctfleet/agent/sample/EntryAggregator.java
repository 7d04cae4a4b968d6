package ctfleet.agent.sample;

import ctfleet.agent.procfs.AddressMask;
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
    /** The server keeps at most this many raw lines per sample. */
    public static final int MAX_RAW_LINES = 32;
    /**
     * The server refuses a whole sample holding a raw line longer than this (EntrySummaryCheck.MAX_RAW_ENTRY).
     * A real kernel line can be longer (IPv6, zones, a long secctx and 20-digit counters): such a line
     * is not kept (a cut line would misread as a whole one) and the next that fits takes its place.
     */
    public static final int MAX_RAW_LINE = 512;
    /** Distinct endpoints counted exactly before switching to a sketch; far above a 2000-line sample. */
    static final int EXACT_LIMIT = 16_384;
    /** Space-Saving counters per top list, as a multiple of K: 10x keeps the top K's error small. */
    static final int SKETCH_FACTOR = 10;

    // Endpoint keys are three longs: the address's high and low 64 bits (IPv4 in low), then a tag.
    private static final long IPV4 = TopList.IPV4;

    private final int topK;
    private final int rawLines;
    private final boolean mask;
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

    /** The agent's defaults: the top 10, no raw lines, addresses as they are. */
    public EntryAggregator() {
        this(DEFAULT_TOP_K, EntryPrivacy.DEFAULT);
    }

    /** @param privacy how many raw lines to keep, and whether addresses are cut to their networks */
    public EntryAggregator(int topK, EntryPrivacy privacy) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1");
        }
        this.topK = topK;
        this.rawLines = privacy.rawLines();
        this.mask = privacy.maskAddresses();
        int capacity = Math.min(EXACT_LIMIT, topK * SKETCH_FACTOR);
        this.destinations = new KeyCounter(EXACT_LIMIT, capacity);
        this.sources = new KeyCounter(EXACT_LIMIT, capacity);
    }

    @Override
    public void onParsed(ParsedEntry e, byte[] line, int off, int len) {
        StateCounts.Counter state = state(e);
        if (state == null) {
            // A combination past the server's limit: counted and skipped like a malformed line, so the
            // sample is still stored and the states still add up to sampleSize (the server scales by it).
            parseErrors++;
            return;
        }
        entries++;
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
        destinations.add(high(e, dst), low(e, dst),
                ((long) state.protocolId << 33) | (e.ipv4(dst) ? IPV4 : 0) | (port & 0xffffffffL));
        int src = ParsedEntry.ORIGINAL_SRC;
        sources.add(high(e, src), low(e, src), e.ipv4(src) ? IPV4 : 0);
        if (raw.size() < rawLines) {
            keepRaw(line, off, len);
        }
    }

    private void keepRaw(byte[] line, int off, int len) {
        while (len > 0 && line[off + len - 1] == '\r') {
            len--; // a CRLF copy of the table: the parser ignores the '\r', so must the raw line
        }
        String text = new String(line, off, len, StandardCharsets.ISO_8859_1);
        if (mask) {
            text = AddressMask.line(text);
        }
        if (text.length() <= MAX_RAW_LINE) { // measured as sent: masking shortens IPv6 addresses
            raw.add(text);
        }
    }

    private long high(ParsedEntry e, int a) {
        return mask ? AddressMask.high(e.ipv4(a), e.addressHigh(a), e.addressLow(a)) : e.addressHigh(a);
    }

    private long low(ParsedEntry e, int a) {
        return mask ? AddressMask.low(e.ipv4(a), e.addressHigh(a), e.addressLow(a)) : e.addressLow(a);
    }

    @Override
    public void onMalformed(byte[] line, int off, int len, String reason) {
        parseErrors++;
    }

    /** Null when the entry's combination is one too many (see {@link StateCounts#MAX}). */
    private StateCounts.Counter state(ParsedEntry e) {
        StateCounts.Counter c = lastState;
        // The parser hands out the same String for the same name, so identity is the common fast path.
        if (c == null || c.family != e.family() || c.protocol != e.protocol() || c.state != e.state()) {
            c = states.get(e.family(), e.protocol(), e.state());
            if (c != null) {
                lastState = c;
            }
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
        TopList dst = new TopList(topK, states::protocol, mask);
        destinations.forEach(dst);
        TopList src = new TopList(topK, id -> "", mask);
        sources.forEach(src);
        return new EntrySample(entries, parseErrors, read.wholeTable(), List.copyOf(stateCounts),
                assured, unreplied, offloaded, destinations.approximate() || sources.approximate(),
                dst.endpoints(true), src.endpoints(false), List.copyOf(raw), unrepliedByProtocol);
    }
}
