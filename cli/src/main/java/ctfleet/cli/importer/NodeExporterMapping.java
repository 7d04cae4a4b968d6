package ctfleet.cli.importer;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Sample;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What node_exporter's series mean to ctfleet (pure). node_exporter's conntrack collector reads the
 * same kernel files as our agent and sums {@code /proc/net/stat/nf_conntrack} over CPUs, so its
 * series map one to one onto a {@link Sample}:
 * <pre>
 *   node_nf_conntrack_entries          -> count       (nf_conntrack_count)
 *   node_nf_conntrack_entries_limit    -> max         (nf_conntrack_max)
 *   node_nf_conntrack_stat_&lt;column&gt;   -> stats[&lt;column&gt;]  (found, invalid, ignore, insert,
 *                                         insert_failed, drop, early_drop, search_restart)
 *   node_boot_time_seconds             -> boot_id "boot-&lt;epoch seconds&gt;" (counters restart at boot)
 * </pre>
 * A host where the conntrack module is not loaded has no such series at all (node_exporter reports
 * no data), so every imported sample is LOADED.
 */
public final class NodeExporterMapping {
    public static final String ENTRIES = "node_nf_conntrack_entries";
    public static final String LIMIT = "node_nf_conntrack_entries_limit";
    public static final String STAT_PREFIX = "node_nf_conntrack_stat_";
    public static final String BOOT = "node_boot_time_seconds";
    static final String NAMES = ENTRIES + "|" + LIMIT + "|" + STAT_PREFIX + "[a-z0-9_]+|" + BOOT;

    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    private static final Pattern PORT = Pattern.compile("(.+):[0-9]{1,5}");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern STAT_KEY = Pattern.compile("[a-z0-9_]{1,64}");
    static final int MAX_LABELS = 32;
    static final int MAX_LABEL_VALUE = 255;

    private NodeExporterMapping() {}

    /**
     * The selector for every series the import reads: the user's {@code --match} (e.g.
     * {@code {job="node"}}, or empty), and when given, only these values of the host label.
     */
    public static String selector(String match, String hostLabel, Collection<String> hostValues) {
        return selector("__name__=~\"" + NAMES + "\"", match, hostLabel, hostValues);
    }

    /**
     * The query_range expression of an import at {@code stepMillis}: entries as each step's highest
     * reading, everything else as the bare selector reads it.
     *
     * <p>Entries: the table-full risk is in the peaks, and a bare selector at a step coarser than the
     * scrape interval reads one instantaneous value per step, so a table at its limit for ten minutes
     * every six hours reads "never full" at 1h steps. {@code max_over_time} over the step (less a
     * millisecond: Prometheus 2's range includes its left edge, which belongs to the step before)
     * takes every scrape in the step. At a step finer than the scrape interval a window may hold no
     * scrape; {@code or} falls back to the bare selector there, so fine steps read what they always
     * did. {@code max_over_time} drops the name, {@code label_replace} puts it back, and
     * {@code or on(__name__)} adds the other series (a plain {@code or} matches on every label but the
     * name, so it would drop each target's limit and counters for having its entries).
     *
     * <p>Counters, the limit and the boot time stay instantaneous: they are cumulative or constant.
     */
    public static String query(String match, String hostLabel, Collection<String> hostValues, long stepMillis) {
        String entries = selector("__name__=\"" + ENTRIES + "\"", match, hostLabel, hostValues);
        String others = selector("__name__=~\"" + LIMIT + "|" + STAT_PREFIX + "[a-z0-9_]+|" + BOOT + "\"", match,
                hostLabel, hostValues);
        return "label_replace(max_over_time(" + entries + "[" + (stepMillis - 1) + "ms]) or " + entries
                + ", \"__name__\", \"" + ENTRIES + "\", \"__name__\", \".*\") or on(__name__) " + others;
    }

    private static String selector(String name, String match, String hostLabel, Collection<String> hostValues) {
        String inner = matchers(match);
        StringBuilder s = new StringBuilder("{").append(name);
        if (!inner.isEmpty()) {
            s.append(", ").append(inner);
        }
        if (!hostValues.isEmpty()) {
            StringBuilder alt = new StringBuilder();
            for (String v : hostValues) {
                if (alt.length() > 0) {
                    alt.append('|');
                }
                alt.append(regexQuote(v));
            }
            s.append(", ").append(hostLabel).append("=~").append(promString(alt.toString()));
        }
        return s.append('}').toString();
    }

    /** The label matchers inside {@code --match}'s braces; throws for anything that is not {@code {...}}. */
    static String matchers(String match) {
        String m = match == null ? "" : match.strip();
        if (m.isEmpty()) {
            return "";
        }
        if (!m.startsWith("{") || !m.endsWith("}")) {
            throw new IllegalArgumentException("'" + match + "' is not a label selector such as {job=\"node\"}");
        }
        return m.substring(1, m.length() - 1).strip().replaceAll(",$", "");
    }

    /** A host label's value as a ctfleet host id: {@code gw-1.example.com:9100} -> {@code gw-1.example.com}. */
    public static Optional<String> hostId(String labelValue) {
        String v = labelValue;
        Matcher port = PORT.matcher(v);
        if (port.matches()) {
            v = port.group(1);
        }
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        return HOST_ID.matcher(v).matches() ? Optional.of(v) : Optional.empty();
    }

    /** The series' target labels that become ctfleet labels: not the name, not the host label, valid ones only. */
    public static SortedMap<String, String> labels(Map<String, String> seriesLabels, String hostLabel) {
        SortedMap<String, String> out = new TreeMap<>();
        for (var e : new TreeMap<>(seriesLabels).entrySet()) {
            if (out.size() == MAX_LABELS) {
                break;
            }
            String k = e.getKey();
            if (k.startsWith("__") || k.equals(hostLabel) || !LABEL_NAME.matcher(k).matches()
                    || e.getValue().length() > MAX_LABEL_VALUE) {
                continue;
            }
            out.put(k, e.getValue());
        }
        return out;
    }

    /** Counts of points that could not become samples, for the summary. */
    public static final class Skipped {
        /** Steps where a host had no entries value, or no limit value (a limit of 0 would mean "none"). */
        public long incomplete;
        /** Values that are NaN or infinite. */
        public long notFinite;
        /** Counter values below zero, left out of their samples (the kernel's counters never are). */
        public long negative;
        /** Host ids left out of a chunk because their series came from more than one target. */
        public final Set<String> mixedHosts = new TreeSet<>();
    }

    /**
     * The labels that tell the series of one host label value apart: those some of them carry with
     * different values (e.g. {@code instance} under {@code --host-label job}); empty when all come
     * from one target. A label only some series carry (a metric relabelling adding it) tells nothing.
     */
    public static SortedSet<String> telling(Collection<? extends Map<String, String>> labelSets) {
        Map<String, Set<String>> values = new TreeMap<>();
        for (Map<String, String> s : labelSets) {
            s.forEach((k, v) -> values.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
        }
        SortedSet<String> out = new TreeSet<>();
        values.forEach((k, v) -> {
            if (!k.equals("__name__") && v.size() > 1) {
                out.add(k);
            }
        });
        return out;
    }

    /**
     * One chunk of query_range answers turned into samples per host id, each list in time order.
     *
     * @param hostOf host label value -> host id, for the hosts being imported; others are ignored.
     *               A host whose series come from more than one target is left out (and named in
     *               {@link Skipped#mixedHosts}): one sample never combines fields of two machines.
     */
    public static Map<String, List<Sample>> samples(List<PromSeries> chunk, String hostLabel,
                                                    Map<String, String> hostOf, Skipped skipped) {
        Map<String, TreeMap<Long, Parts>> byHost = new HashMap<>();
        Map<String, List<Map<String, String>>> seriesOf = new HashMap<>();
        for (PromSeries s : chunk) {
            String host = hostOf.get(s.labels().get(hostLabel));
            if (host == null) {
                continue;
            }
            seriesOf.computeIfAbsent(host, h -> new ArrayList<>()).add(s.labels());
            String name = s.name();
            Field field = field(name);
            if (field == null) {
                continue;
            }
            TreeMap<Long, Parts> steps = byHost.computeIfAbsent(host, h -> new TreeMap<>());
            for (int i = 0; i < s.tsMillis().length; i++) {
                Parts p = steps.computeIfAbsent(s.tsMillis()[i], t -> new Parts());
                double v = s.values()[i];
                switch (field) {
                    case COUNT -> {
                        p.count = v;
                        p.hasCount = true;
                    }
                    case MAX -> {
                        p.max = v;
                        p.hasMax = true;
                    }
                    case BOOT -> p.boot = v;
                    case STAT -> p.stats.put(name.substring(STAT_PREFIX.length()), v);
                }
            }
        }
        Map<String, List<Sample>> out = new HashMap<>();
        seriesOf.forEach((host, sets) -> {
            if (!telling(sets).isEmpty()) {
                skipped.mixedHosts.add(host);
                byHost.remove(host);
            }
        });
        byHost.forEach((host, steps) -> {
            List<Sample> list = new ArrayList<>(steps.size());
            steps.forEach((ts, p) -> {
                // An absent value (no series at that step) is incomplete; a NaN Prometheus did return is
                // a value, just not a finite one.
                if (!p.hasCount || !p.hasMax) {
                    skipped.incomplete++;
                } else if (!Double.isFinite(p.count) || !Double.isFinite(p.max)) {
                    skipped.notFinite += (Double.isFinite(p.count) ? 0 : 1) + (Double.isFinite(p.max) ? 0 : 1);
                } else {
                    list.add(sample(ts, p, skipped));
                }
            });
            if (!list.isEmpty()) {
                out.put(host, list);
            }
        });
        return out;
    }

    private enum Field { COUNT, MAX, STAT, BOOT }

    private static Field field(String name) {
        if (name.equals(ENTRIES)) {
            return Field.COUNT;
        }
        if (name.equals(LIMIT)) {
            return Field.MAX;
        }
        if (name.equals(BOOT)) {
            return Field.BOOT;
        }
        if (name.startsWith(STAT_PREFIX) && STAT_KEY.matcher(name.substring(STAT_PREFIX.length())).matches()) {
            return Field.STAT;
        }
        return null;
    }

    private static final class Parts {
        double count;
        boolean hasCount;
        double max;
        boolean hasMax;
        double boot = Double.NaN;
        final Map<String, Double> stats = new TreeMap<>();
    }

    private static Sample sample(long ts, Parts p, Skipped skipped) {
        Sample.Builder b = Sample.newBuilder().setTsMillis(ts).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                .setCount(Math.round(p.count)).setMax(Math.round(p.max));
        // One bad counter costs only that counter: the server refuses a whole sample with a negative
        // one, and a series stuck below zero would lose every step of the host.
        p.stats.forEach((k, v) -> {
            if (!Double.isFinite(v)) {
                skipped.notFinite++;
            } else if (v < 0) {
                skipped.negative++;
            } else {
                b.putStats(k, Math.round(v));
            }
        });
        if (Double.isFinite(p.boot)) {
            b.setBootId("boot-" + Math.round(p.boot));
        }
        return b.build();
    }

    /** RE2 syntax: every metacharacter escaped, so a host name with dots matches only itself. */
    static String regexQuote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** A PromQL double-quoted string literal. */
    static String promString(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
