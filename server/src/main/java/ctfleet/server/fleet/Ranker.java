package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Orders a fleet by how likely, and how soon, each host refuses connections.
 *
 * <ol>
 *   <li>Dropping now: {@code drop}, {@code early_drop} or {@code insert_failed} grew over the
 *       host's newest {@link #RECENT} of data; by how many were refused per second then, highest
 *       first.
 *   <li>Hosts with a limit: by status (crit, warn, ok), then by p_full (to the percent), then by
 *       the median ETA, then by p_full in full, then by fill. The status comes from the same p_full
 *       ({@link RankerConfig}), so without fill rules the order is simply p_full, ETA, p_full,
 *       fill, and a crit host is never below a warn or ok one.
 *   <li>Hosts with nothing to fill ({@code unlimited}: max 0; {@code no-conntrack}), by count.
 * </ol>
 * Ties break on host id so the order is stable between refreshes. p_full is compared to the
 * percent it is shown with: 0.4 % and 0.1 % are both "0 %", and between them the ETA decides.
 * Most hosts show "0 %" with no ETA at all; among them the likelier still goes first (a host
 * whose count swings wide, a ramp minutes old), and fill decides only when p_full is equal too
 * (most often both exactly 0). p_full is the host's own forecast's, with the chance that a
 * failover partner's load overflows it added ({@link FailoverPairs}): the one part of a host's
 * numbers that reads the rest of the fleet. A host with a partner and no such risk has its reason
 * say where the pair's load last moved instead, since a step or a burst in its own story is most
 * likely that.
 *
 * <p>Status, strongest first: {@code stale} (silent for more than {@code staleIntervals} sample
 * intervals; never for an imported host, which has no agent to fall silent), {@code no-conntrack},
 * {@code unlimited}, {@code dropping}, {@code crit} (p_full ≥ 0.5, or the fill rule), {@code warn}
 * (p_full ≥ 0.1, or the fill rule), {@code ok}.
 *
 * <p>A stale host keeps the place its last known numbers earn, forecast to the query time.
 * Sorting it last would hide the likeliest reason it went silent: a full table also refuses the
 * agent's own connection to the server.
 */
public final class Ranker {
    private static final String DROP = "drop";
    private static final String EARLY_DROP = "early_drop";
    private static final String INSERT_FAILED = "insert_failed";
    /** "Now" for dropping: refusals in this last part of the window. */
    public static final Duration RECENT = Duration.ofMinutes(10);
    static final int PARALLEL_FROM = 64;

    private final RankerConfig config;

    public Ranker(RankerConfig config) {
        this.config = config;
    }

    public List<HostRank> rank(List<HostHistory> hosts, Instant now) {
        return rank(hosts, now, hosts);
    }

    /**
     * @param fleet where partners are looked for ({@link FailoverPairs}): the whole fleet when
     *              {@code hosts} is a part of it (a label filter), so a partner outside it still counts
     */
    public List<HostRank> rank(List<HostHistory> hosts, Instant now, List<HostHistory> fleet) {
        FailoverPairs.Analysis pairs = FailoverPairs.analyse(fleet, now, config.horizon());
        // Each host's forecast stands alone: on a fleet, spread them over the cores.
        List<Assessment> assessed = new ArrayList<>(hosts.size() < PARALLEL_FROM
                ? hosts.stream().map(h -> assessment(h, now, pairs)).toList()
                : hosts.parallelStream().map(h -> assessment(h, now, pairs)).toList());
        assessed.sort(Comparator.comparingInt(Assessment::tier)
                .thenComparingDouble(Assessment::key)
                .thenComparingInt(a -> -a.severity())
                .thenComparingDouble(a -> -Math.round(a.rank().pFull() * 100))
                .thenComparingDouble(a -> a.rank().etaSeconds().orElse(Double.POSITIVE_INFINITY))
                .thenComparingDouble(a -> -a.rank().pFull())
                .thenComparingDouble(a -> -a.rank().fill().orElse(-1))
                .thenComparing(a -> a.rank().host()));
        List<HostRank> ranked = new ArrayList<>(assessed.size());
        for (int i = 0; i < assessed.size(); i++) {
            ranked.add(assessed.get(i).rank().withRank(i + 1));
        }
        return ranked;
    }

    /** One host's numbers and status, unranked (rank 0), taken alone: no partner is looked for. */
    public HostRank assess(HostHistory h, Instant now) {
        return assessment(h, now, FailoverPairs.Analysis.NONE).rank();
    }

    /**
     * One host's numbers and status, unranked (rank 0), its partner looked for in {@code fleet}: the
     * same numbers as its line of the fleet's ranking.
     */
    public HostRank assess(HostHistory h, Instant now, List<HostHistory> fleet) {
        return assessInFleet(h, now, fleet).rank();
    }

    /** A host's line of the fleet's ranking, and the fleet's failover partners, found or declared. */
    public record InFleet(HostRank rank, Map<String, FailoverPairs.Partner> partners) {}

    /**
     * {@link #assess(HostHistory, Instant, List)} with the partners it found (declared ones added),
     * so a caller that also plans the host (the host view) does not search the fleet a second time.
     */
    public InFleet assessInFleet(HostHistory h, Instant now, List<HostHistory> fleet) {
        FailoverPairs.Analysis pairs = FailoverPairs.analyse(fleet, now, config.horizon());
        return new InFleet(assessment(h, now, pairs).rank(), pairs.partners());
    }

    private Assessment assessment(HostHistory h, Instant now, FailoverPairs.Analysis pairs) {
        FailoverPairs.Risk partner = pairs.risks().get(h.host());
        CounterTotals totals = CounterTotals.of(h.counters());
        CounterTotals recent = CounterTotals.of(recentPart(h.counters()));
        boolean limited = h.conntrack() == ConntrackModule.LOADED && h.max() > 0;
        FailoverPairs.Move move = pairs.moves().get(h.host());
        // A failover under way: the jump is the load landing (or leaving), a step, not a surge.
        Optional<Instant> landed = move == null ? Optional.empty() : Optional.ofNullable(move.landedBy());
        FillForecast f = limited ? FillForecaster.forecast(h.points(), h.recent(), now, h.max(), config.horizon(),
                landed, pairs.moved().getOrDefault(h.host(), List.of())) : FillForecast.NONE;
        double pFull = f.pFull();
        String reason = f.reason();
        if (limited && partner != null) {
            pFull = FailoverPairs.combine(pFull, partner);
        }
        if (limited && move != null && (partner == null || move.underWay())) {
            // A step or a burst in its own story may be its partner's load; one under way is what
            // the risk phrase was about.
            reason += (reason.isEmpty() ? "" : "; ") + move.phrase();
        } else if (limited && partner != null) {
            reason += (reason.isEmpty() ? "" : "; ") + String.format(java.util.Locale.ROOT,
                    "fills if %s fails over to it (%.0f %% of the last day; it did at %s)", partner.partner(),
                    100 * partner.overflowShare(), Reasons.time(partner.lastFailover(), now));
        }
        double refusedNow = recent.perSecond(DROP) + recent.perSecond(EARLY_DROP) + recent.perSecond(INSERT_FAILED);
        boolean dropping = limited && (recent.increase(DROP) > 0 || recent.increase(EARLY_DROP) > 0
                || recent.increase(INSERT_FAILED) > 0);
        int severity = limited ? severity(pFull, h.fill().orElse(0)) : 0;
        Status status = status(h, now, limited, dropping, severity);
        if (dropping) {
            reason = String.format(java.util.Locale.ROOT, "refusing %.1f connections/s", refusedNow)
                    + (reason.isEmpty() ? "" : "; " + reason);
        }
        HostRank rank = new HostRank(0, h.host(), h.count(), h.max(), h.buckets(), h.fill(), pFull,
                f.etaSeconds(), f.etaLowSeconds(), f.etaHighSeconds(), reason,
                totals.perSecond(DROP), totals.perSecond(EARLY_DROP), totals.perSecond(INSERT_FAILED),
                status, h.lastSeen(), h.labels());
        int tier = !limited ? 2 : dropping ? 0 : 1;
        double key = switch (tier) {
            case 0 -> -refusedNow;
            case 1 -> 0;
            default -> -h.count();
        };
        return new Assessment(rank, tier, key, severity);
    }

    /**
     * The counter points from the last one at or before the newest minus {@link #RECENT} on (the
     * whole series if none is): "now" is the host's newest data, so a host whose history ends (an
     * import, a stale agent) is judged by how it ended.
     */
    static List<CounterPoint> recentPart(List<CounterPoint> counters) {
        if (counters.isEmpty()) {
            return counters;
        }
        Instant cutoff = counters.get(counters.size() - 1).ts().minus(RECENT);
        int from = 0;
        for (int i = counters.size() - 1; i >= 0; i--) {
            if (!counters.get(i).ts().isAfter(cutoff)) {
                from = i;
                break;
            }
        }
        return counters.subList(from, counters.size());
    }

    /** 2 crit, 1 warn, 0 ok, from p_full and the optional fill rules. */
    private int severity(double pFull, double fill) {
        // (A p_full of one half less a rounding is one half: Outlook.SLACK.)
        if (pFull >= config.critProbability() - Outlook.SLACK || fill >= config.critFill()) {
            return 2;
        }
        if (pFull >= config.warnProbability() - Outlook.SLACK || fill >= config.warnFill()) {
            return 1;
        }
        return 0;
    }

    private Status status(HostHistory h, Instant now, boolean limited, boolean dropping, int severity) {
        long silent = now.toEpochMilli() - h.lastSeen().toEpochMilli();
        if (!h.imported() && silent > h.interval().toMillis() * config.staleIntervals()) {
            return Status.STALE;
        }
        if (h.clockSkewed()) {
            return Status.CLOCK_SKEW;
        }
        if (h.conntrack() == ConntrackModule.NOT_LOADED) {
            return Status.NO_CONNTRACK;
        }
        if (!limited) {
            return Status.UNLIMITED;
        }
        if (dropping) {
            return Status.DROPPING;
        }
        return severity == 2 ? Status.CRIT : severity == 1 ? Status.WARN : Status.OK;
    }

    /** A host's line plus how it sorts: tier (dropping, limited, nothing to fill), a key within it, severity. */
    private record Assessment(HostRank rank, int tier, double key, int severity) {}
}
