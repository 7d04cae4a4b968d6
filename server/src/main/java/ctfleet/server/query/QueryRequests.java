package ctfleet.server.query;

import ctfleet.server.fleet.CapacityPlanner;
import ctfleet.server.fleet.LabelFilter;
import ctfleet.server.fleet.RankerConfig;
import ctfleet.server.store.Step;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every field of every query request checked, and turned into the question it asks (the wire's 0
 * meaning "the default"). A bad field is a {@link BadQuery} naming the field, the value (never more
 * than 40 characters of it) and what is allowed, so a caller that skipped the CLI's checks (a
 * script, another client) learns what to change instead of getting a NOT_FOUND for a host id that
 * could never exist or an answer to a question it did not ask.
 *
 * <p>The fields come as the wire has them (QueryService unpacks each request; this class sees no
 * protobuf, so the query layer stays transport-free), named as the wire names them. The wire's
 * uint64 and uint32 arrive as Java's signed longs and ints: a value above 2^63 reads as negative
 * and is shown unsigned, as the caller sent it.
 */
final class QueryRequests {
    /** As ingest accepts them: a query for anything else names no host and no label that can exist. */
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final int MAX_LABELS = 32;
    static final int MAX_LABEL_VALUE = 255;

    private static final long MAX_WINDOW_SECONDS = FleetQueries.MAX_WINDOW.toSeconds();
    private static final long MAX_HORIZON_SECONDS = RankerConfig.MAX_HORIZON.toSeconds();

    private QueryRequests() {}

    /** TopRequest's fields. */
    record TopFields(int limit, long windowSeconds, Map<String, String> labels, double warnFill, double critFill,
                     long etaWarnSeconds, long etaCritSeconds, long horizonSeconds) {}

    static TopQuery top(TopFields req) throws BadQuery {
        Duration window = seconds("window_seconds", req.windowSeconds(), FleetQueries.DEFAULT_WINDOW,
                MAX_WINDOW_SECONDS, "1h");
        Duration horizon = seconds("horizon_seconds", req.horizonSeconds(), RankerConfig.DEFAULT_HORIZON,
                MAX_HORIZON_SECONDS, "24h");
        // Older clients' ETA thresholds: eta_warn is the horizon when horizon_seconds is 0; eta_crit
        // is ignored, but a value no horizon could have is still a broken client.
        Duration etaWarn = seconds("eta_warn_seconds", req.etaWarnSeconds(), RankerConfig.DEFAULT_HORIZON,
                MAX_HORIZON_SECONDS, "24h");
        seconds("eta_crit_seconds", req.etaCritSeconds(), RankerConfig.DEFAULT_HORIZON, MAX_HORIZON_SECONDS, "24h");
        if (req.horizonSeconds() == 0 && req.etaWarnSeconds() != 0) {
            horizon = etaWarn;
        }
        double warn = fill("warn_fill", req.warnFill());
        double crit = fill("crit_fill", req.critFill());
        if (!Double.isNaN(warn) && !Double.isNaN(crit) && warn > crit) {
            throw new BadQuery("warn_fill " + number(warn) + " is above crit_fill " + number(crit)
                    + ": a host must reach the warning before the critical fill");
        }
        RankerConfig config;
        try {
            config = FleetQueries.ranking(horizon).withFills(warn, crit);
        } catch (IllegalArgumentException e) {
            throw new BadQuery(e.getMessage());
        }
        // uint32: above 2^31 reads negative; any limit above the fleet's size is every host.
        long limit = Integer.toUnsignedLong(req.limit());
        return new TopQuery(window, config, labels(req.labels()), (int) Math.min(limit, Integer.MAX_VALUE));
    }

    /** The host view's question: a host id, the window and the horizon. */
    record HostQuestion(String host, Duration window, Duration horizon) {}

    static HostQuestion host(String host, long windowSeconds, long horizonSeconds) throws BadQuery {
        return new HostQuestion(hostId(host),
                seconds("window_seconds", windowSeconds, FleetQueries.DEFAULT_WINDOW, MAX_WINDOW_SECONDS, "1h"),
                seconds("horizon_seconds", horizonSeconds, RankerConfig.DEFAULT_HORIZON, MAX_HORIZON_SECONDS,
                        "24h"));
    }

    /** A series' question: a host id, how far back, at what step. */
    record HistoryQuestion(String host, Duration since, Step step) {}

    static HistoryQuestion history(String hostId, long sinceSeconds, String stepText) throws BadQuery {
        String host = hostId(hostId);
        Duration since = seconds("since_seconds", sinceSeconds, FleetQueries.DEFAULT_WINDOW,
                MAX_WINDOW_SECONDS, "1h");
        Step step;
        try {
            step = Step.parse(stepText);
        } catch (IllegalArgumentException e) {
            throw new BadQuery("step '" + shown(stepText) + "': use raw, 1m, 1h or auto (empty: auto)");
        }
        return new HistoryQuestion(host, since, step);
    }

    /** CapacityRequest's fields. */
    record CapacityFields(long windowSeconds, long horizonSeconds, double headroom, Map<String, String> labels,
                          double maxMemoryShare) {}

    static CapacityQuery capacity(CapacityFields req) throws BadQuery {
        Duration window = seconds("window_seconds", req.windowSeconds(), CapacityQuery.DEFAULT_WINDOW,
                MAX_WINDOW_SECONDS, "30d");
        Duration horizon = seconds("horizon_seconds", req.horizonSeconds(), CapacityQuery.DEFAULT_HORIZON,
                MAX_WINDOW_SECONDS, "30d");
        double headroom = req.headroom();
        if (headroom != 0 && !(headroom >= 1.0 && headroom <= 100)) {
            throw new BadQuery("headroom " + number(headroom) + ": use 0 (the default, 1.5) or from 1.0 to 100");
        }
        double share = req.maxMemoryShare();
        if (share != 0 && !(share > 0 && share <= 1)) {
            throw new BadQuery("max_memory_share " + number(share) + ": use 0 (the default, 0.25) or above 0 and at"
                    + " most 1 (0.25 = a quarter of a host's MemTotal)");
        }
        return new CapacityQuery(window, horizon, headroom == 0 ? CapacityQuery.DEFAULT_HEADROOM : headroom,
                share == 0 ? CapacityPlanner.DEFAULT_MAX_MEMORY_SHARE : share, labels(req.labels()));
    }

    /** The summary's question: the window and the horizon. */
    record SummaryQuestion(Duration window, Duration horizon) {}

    static SummaryQuestion summary(long windowSeconds, long horizonSeconds) throws BadQuery {
        return new SummaryQuestion(
                seconds("window_seconds", windowSeconds, FleetQueries.DEFAULT_WINDOW, MAX_WINDOW_SECONDS, "1h"),
                seconds("horizon_seconds", horizonSeconds, RankerConfig.DEFAULT_HORIZON, MAX_HORIZON_SECONDS,
                        "24h"));
    }

    /** A uint64 of seconds: 0 is {@code fallback}, else 1 to {@code max}. */
    private static Duration seconds(String field, long value, Duration fallback, long max, String fallbackText)
            throws BadQuery {
        if (value == 0) {
            return fallback;
        }
        if (value < 0 || value > max) {
            throw new BadQuery(String.format(Locale.ROOT, "%s %s: use 0 (the default, %s) or 1 to %d (%d days)", field,
                    Long.toUnsignedString(value), fallbackText, max, max / 86_400));
        }
        return Duration.ofSeconds(value);
    }

    /** A fill rule: 0 is none (NaN to the ranking), else above 0 and at most 1. */
    private static double fill(String field, double value) throws BadQuery {
        if (value == 0) {
            return Double.NaN;
        }
        if (!(value > 0 && value <= 1)) {
            throw new BadQuery(field + " " + number(value) + ": use 0 (no fill rule) or above 0 and at most 1"
                    + " (0.9 = 90 % of nf_conntrack_max)");
        }
        return value;
    }

    static String hostId(String id) throws BadQuery {
        if (!HOST_ID.matcher(id).matches()) {
            throw new BadQuery("host '" + shown(id) + "'" + (id.length() > 40 ? " (" + id.length() + " characters)" : "")
                    + ": a host id is 1 to 253 of A-Z a-z 0-9 . _ -");
        }
        return id;
    }

    /** Label filters: keys as ingest accepts label names, so a typo is an error, not a filter matching nothing. */
    static LabelFilter labels(Map<String, String> labels) throws BadQuery {
        if (labels.size() > MAX_LABELS) {
            throw new BadQuery("labels: " + labels.size() + " of them, at most " + MAX_LABELS);
        }
        for (var e : labels.entrySet()) {
            if (!LABEL_NAME.matcher(e.getKey()).matches()) {
                throw new BadQuery("labels key '" + shown(e.getKey()) + "': use [A-Za-z_][A-Za-z0-9_]* (at most 63"
                        + " characters)");
            }
            if (e.getValue().length() > MAX_LABEL_VALUE) {
                throw new BadQuery("labels value of '" + e.getKey() + "' ('" + shown(e.getValue()) + "', "
                        + e.getValue().length() + " characters): at most " + MAX_LABEL_VALUE + " characters");
            }
        }
        return new LabelFilter(labels);
    }

    /** Never echo a whole hostile string back (the same rule as ingest's): 40 printable characters at most. */
    static String shown(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }

    private static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? String.valueOf(v) : String.format(Locale.ROOT, "%s", v);
    }
}
