package ctfleet.server.ingest;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Endpoint;
import ctfleet.proto.v1.EntrySummary;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.StateCount;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampledEntries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The one place where wire messages become store rows, validating every field on the way. */
public final class WireDecoder {
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final int MAX_LABELS = 32;
    static final int MAX_LABEL_VALUE = 255;
    static final int MAX_STATS = 64;
    static final int MAX_NAME = 64;
    // Samples older than this are not history anyone can still use: almost certainly a broken clock.
    static final long EARLIEST_TS = 946_684_800_000L; // 2000-01-01T00:00:00Z

    private final Duration clockSkew;

    public WireDecoder(Duration clockSkew) {
        this.clockSkew = clockSkew;
    }

    /** The server's --clock-skew: how far an agent's clock may be from the server's, either way. */
    public Duration clockSkew() {
        return clockSkew;
    }

    /**
     * The agent's clock minus the server's, from a hello that carries the agent's clock; empty
     * when it does not (an older agent).
     */
    public java.util.OptionalLong clockOffset(Hello h, long nowMillis) throws InvalidInput {
        if (h.getAgentTimeMillis() == 0) {
            return java.util.OptionalLong.empty();
        }
        if (h.getAgentTimeMillis() < 0) {
            throw new InvalidInput("hello.agent_time_millis: negative (" + h.getAgentTimeMillis() + ")");
        }
        return java.util.OptionalLong.of(h.getAgentTimeMillis() - nowMillis);
    }

    public HostHello hello(Hello h) throws InvalidInput {
        if (!HOST_ID.matcher(h.getHostId()).matches()) {
            throw new InvalidInput("hello.host_id '" + clip(h.getHostId())
                    + "': must be 1 to 253 characters of A-Z a-z 0-9 . _ -");
        }
        if (h.getLabelsCount() > MAX_LABELS) {
            throw new InvalidInput("hello.labels: " + h.getLabelsCount() + " labels, at most " + MAX_LABELS);
        }
        for (Map.Entry<String, String> e : h.getLabelsMap().entrySet()) {
            if (!LABEL_NAME.matcher(e.getKey()).matches()) {
                throw new InvalidInput("hello.labels: name '" + clip(e.getKey())
                        + "' must match [A-Za-z_][A-Za-z0-9_]* and be at most 63 characters");
            }
            if (e.getValue().length() > MAX_LABEL_VALUE) {
                throw new InvalidInput("hello.labels['" + e.getKey() + "']: value longer than "
                        + MAX_LABEL_VALUE + " characters");
            }
        }
        checkLength("hello.kernel", h.getKernel(), 256);
        checkLength("hello.agent_version", h.getAgentVersion(), 64);
        if (h.getDroppedSamples() < 0) {
            throw new InvalidInput("hello.dropped_samples: " + Long.toUnsignedString(h.getDroppedSamples())
                    + " is out of range");
        }
        return new HostHello(h.getHostId(), h.getLabelsMap(), h.getKernel(), h.getAgentVersion(),
                h.getDroppedSamples());
    }

    public SampleRow sample(Sample s, long nowMillis) throws InvalidInput {
        return sample(s, nowMillis, 0);
    }

    /**
     * The row of a sample from a stream whose agent clock is {@code offsetMillis} off the server's
     * (0: within the allowed skew, or not measured). Beyond the skew the sample is stored at the
     * server's time, {@code ts - offset}: a clock a year behind would otherwise have its samples
     * acknowledged and then deleted by retention within the minute.
     *
     * <p>Unless the sample was stamped before the clock went wrong (spooled by an earlier run of
     * the agent): its own time is then the right one. Of the two readings, the sample's time and
     * the corrected one, the later that is not in the future is taken: a real sample time is not
     * in the future, and the wrong reading is off by more than the allowed skew. A year-behind
     * clock's sample corrected is "now" (its own time is a year old); a good old sample corrected
     * for a clock now a year ahead is a year older still.
     */
    public SampleRow sample(Sample s, long nowMillis, long offsetMillis) throws InvalidInput {
        String where = "sample seq " + s.getSeq();
        long ts = s.getTsMillis();
        long latest = nowMillis + clockSkew.toMillis();
        long corrected = ts - offsetMillis;
        if (Math.abs(offsetMillis) > clockSkew.toMillis() && corrected <= latest && corrected >= EARLIEST_TS
                && (ts > latest || corrected > ts)) {
            ts = corrected;
        }
        if (ts < EARLIEST_TS) {
            throw new InvalidInput(where + ": ts_millis " + s.getTsMillis() + " is before 2000-01-01");
        }
        if (ts > latest) {
            throw new InvalidInput(where + ": ts_millis " + s.getTsMillis() + " is "
                    + (s.getTsMillis() - nowMillis) / 1000 + " s ahead of the server's clock (allowed skew "
                    + clockSkew.toSeconds() + " s)");
        }
        if (s.getStatus() == ConntrackStatus.CONNTRACK_STATUS_UNSPECIFIED
                || s.getStatus() == ConntrackStatus.UNRECOGNIZED) {
            throw new InvalidInput(where + ": status must be LOADED or NOT_LOADED");
        }
        nonNegative(where, "count", s.getCount());
        nonNegative(where, "max", s.getMax());
        nonNegative(where, "buckets", s.getBuckets());
        nonNegative(where, "expect_max", s.getExpectMax());
        nonNegative(where, "bytes_per_entry", s.getBytesPerEntry());
        if (s.hasMemTotalBytes() && s.getMemTotalBytes() <= 0) {
            throw new InvalidInput(where + ": mem_total_bytes must be positive when present (" + s.getMemTotalBytes()
                    + "); leave it out when the host's memory is unknown");
        }
        if (s.getStatsCount() > MAX_STATS || s.getTimeoutsCount() > MAX_STATS) {
            throw new InvalidInput(where + ": more than " + MAX_STATS + " stats or timeouts");
        }
        for (Map.Entry<String, Long> e : s.getStatsMap().entrySet()) {
            checkName(where, ".stats", e.getKey());
            if (e.getValue() < 0) {
                throw new InvalidInput(where + ".stats['" + e.getKey() + "']: negative");
            }
        }
        for (Map.Entry<String, Long> e : s.getTimeoutsMap().entrySet()) {
            checkName(where, ".timeouts", e.getKey());
            nonNegative(where, "timeouts['" + e.getKey() + "']", e.getValue());
        }
        checkLength(where + ".boot_id", s.getBootId(), 64);
        if (s.hasEntries()) {
            EntrySummaryCheck.check(where, s.getEntries());
        }
        return new SampleRow(
                ts,
                s.getStatus() == ConntrackStatus.CONNTRACK_STATUS_LOADED,
                s.getCount(),
                s.getMax(),
                s.getBuckets(),
                s.getExpectMax(),
                s.getAcct(),
                s.getBootId(),
                s.getStatsMap(),
                new TreeMap<>(s.getTimeoutsMap()),
                s.getBytesPerEntry(),
                s.getBytesPerEntryEstimated(),
                s.hasEntries() ? Optional.of(entries(s.getEntries())) : Optional.empty(),
                s.hasMemTotalBytes() ? OptionalLong.of(s.getMemTotalBytes()) : OptionalLong.empty());
    }

    /** The breakdown in the one form the server keeps it (checked by {@link EntrySummaryCheck} first). */
    static SampledEntries entries(EntrySummary e) {
        List<SampledEntries.State> states = new ArrayList<>(e.getStatesCount());
        for (StateCount s : e.getStatesList()) {
            states.add(new SampledEntries.State(s.getFamily(), s.getProtocol(), s.getState(), s.getSampled()));
        }
        return new SampledEntries(e.getSampleSize(), e.getParseErrors(), e.getFullScan(), states, e.getAssured(),
                e.getUnreplied(), endpoints(e.getTopDestinationsList()), endpoints(e.getTopSourcesList()),
                e.getRawEntriesList(), e.getUnrepliedByProtocolMap());
    }

    private static List<SampledEntries.Endpoint> endpoints(List<Endpoint> list) {
        List<SampledEntries.Endpoint> out = new ArrayList<>(list.size());
        for (Endpoint p : list) {
            out.add(new SampledEntries.Endpoint(p.getAddress(), p.getPort(), p.getProtocol(), p.getSampled()));
        }
        return out;
    }

    private static void nonNegative(String where, String field, long v) throws InvalidInput {
        if (v < 0) {
            throw new InvalidInput(where + ": " + field + " is negative (" + v + ")");
        }
    }

    // Runs for every counter of every sample (an import is millions of them): a plain loop, and
    // the message is built only for a bad name.
    private static void checkName(String where, String field, String name) throws InvalidInput {
        boolean ok = !name.isEmpty() && name.length() <= MAX_NAME;
        for (int i = 0; ok && i < name.length(); i++) {
            char ch = name.charAt(i);
            ok = ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        }
        if (!ok) {
            throw new InvalidInput(where + field + ": key '" + clip(name) + "' must be 1 to 64 of a-z 0-9 _");
        }
    }

    private static void checkLength(String field, String v, int max) throws InvalidInput {
        if (v.length() > max) {
            throw new InvalidInput(field + ": longer than " + max + " characters");
        }
    }

    /** Never echo a whole hostile string back into a message or a log. */
    static String clip(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
