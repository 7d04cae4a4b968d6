package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Orders a fleet by how soon each host refuses connections.
 *
 * <ol>
 *   <li>Dropping now: {@code drop}, {@code early_drop} or {@code insert_failed} grew in the
 *       window; by drop + early_drop + insert_failed per second, highest first.
 *   <li>Growing: an {@link EnvelopeForecaster} ETA within {@link RankerConfig#growthHorizon()}
 *       and within {@link #ORDERING_SHARE} × {@link RankerConfig#extrapolation()} times the span
 *       of the points; soonest first.
 *   <li>The rest with a limit: by fill, fullest first.
 *   <li>Hosts with nothing to fill ({@code unlimited}: max 0; {@code no-conntrack}), by count.
 * </ol>
 * Ties break on host id so the order is stable between refreshes.
 *
 * <p>The reported {@code eta} (and the status it drives) is the earlier of the envelope ETA and
 * the plain least-squares ({@link PredictLinear}) ETA, reported up to
 * max(warnEta, extrapolation × span): ctfleet never warns later than the predict_linear or 75%
 * alerts an operator already runs. Only the envelope ETA within the trusted range reorders the
 * list: a warning is cheap, a wrong first screen is not (on a 1h window every daily rising edge
 * looks like +8%/h growth, and a step looks like a steep line).
 *
 * <p>Status, strongest first: {@code stale} (silent for more than {@code staleIntervals}
 * sample intervals; never for an imported host, which has no agent to fall silent), {@code no-conntrack}, {@code unlimited}, {@code dropping}, {@code crit}
 * (fill ≥ critFill or eta ≤ critEta), {@code warn} (fill ≥ warnFill or eta ≤ warnEta),
 * {@code ok}.
 *
 * <p>A stale host keeps the place its last known numbers earn, with its ETA extrapolated to the
 * query time. Sorting it last would hide the likeliest reason it went silent: a full table also
 * refuses the agent's own connection to the server.
 */
public final class Ranker {
    private static final String DROP = "drop";
    private static final String EARLY_DROP = "early_drop";
    private static final String INSERT_FAILED = "insert_failed";

    /**
     * A trend orders the growing tier only up to this share of the range its ETA is reported and
     * warned on (3 × the span of data at the default extrapolation of 4). Why: a daily wave of
     * amplitude A rises at most 2πA per day, about 0.26·A per hour, so a host whose crest stays
     * under max (more than A of headroom at mid-rise) shows a straight-line ETA of at least ~3.8 h.
     * Ordering by ETAs up to 4 h on the default 1 h window let such rising edges outrank steadily
     * growing hosts (ForecastQualityBench, steady growth, 1 h window: P@10 0.76 against 0.77 for
     * fill-only); up to 3 h they stay in the fill tier while still being warned about.
     */
    static final double ORDERING_SHARE = 0.75;

    private final RankerConfig config;

    public Ranker(RankerConfig config) {
        this.config = config;
    }

    public List<HostRank> rank(List<HostHistory> hosts, Instant now) {
        List<Assessment> assessed = new ArrayList<>(hosts.size());
        for (HostHistory h : hosts) {
            assessed.add(assessment(h, now));
        }
        assessed.sort(Comparator.comparingInt(Assessment::tier)
                .thenComparingDouble(Assessment::keyWithinTier)
                // Hosts dropping at the same rate: the one that fills sooner, then the fuller one.
                .thenComparingDouble(Assessment::orderingEta)
                .thenComparingDouble(x -> -x.rank().fill().orElse(-1))
                .thenComparing(x -> x.rank().host()));
        List<HostRank> ranked = new ArrayList<>(assessed.size());
        for (int i = 0; i < assessed.size(); i++) {
            ranked.add(assessed.get(i).rank().withRank(i + 1));
        }
        return ranked;
    }

    /** One host's numbers and status, unranked (rank 0). */
    public HostRank assess(HostHistory h, Instant now) {
        return assessment(h, now).rank();
    }

    private Assessment assessment(HostHistory h, Instant now) {
        CounterTotals totals = CounterTotals.of(h.counters());
        boolean limited = h.conntrack() == ConntrackModule.LOADED && h.max() > 0;
        OptionalDouble eta = OptionalDouble.empty();
        double orderingEta = Double.POSITIVE_INFINITY;
        if (limited) {
            OptionalDouble envelope = EnvelopeForecaster.forecast(h.points(), now, h.max()).etaSeconds();
            OptionalDouble line = PredictLinear.forecast(h.points(), now, h.max()).etaSeconds();
            double earliest = Math.min(envelope.orElse(Double.POSITIVE_INFINITY), line.orElse(Double.POSITIVE_INFINITY));
            if (earliest <= horizonSeconds(h.points())) {
                eta = OptionalDouble.of(earliest);
            }
            if (envelope.isPresent() && envelope.getAsDouble() <= ORDERING_SHARE * trustedSeconds(h.points())) {
                orderingEta = envelope.getAsDouble();
            }
        }
        boolean dropping = totals.increase(DROP) > 0 || totals.increase(EARLY_DROP) > 0
                || totals.increase(INSERT_FAILED) > 0;
        Status status = status(h, now, limited, h.fill(), eta, dropping);
        HostRank rank = new HostRank(0, h.host(), h.count(), h.max(), h.buckets(), h.fill(), eta,
                totals.perSecond(DROP), totals.perSecond(EARLY_DROP), totals.perSecond(INSERT_FAILED),
                status, h.lastSeen(), h.labels());
        return new Assessment(rank, orderingEta);
    }

    /** How far ahead an ETA is reported (and warned on): the trusted range, or at least warnEta. */
    private double horizonSeconds(List<CountPoint> points) {
        return Math.min(config.growthHorizon().toSeconds(),
                Math.max(trustedSeconds(points), config.warnEta().toSeconds()));
    }

    /** How far ahead a trend from these points orders the ranking: see {@link RankerConfig#extrapolation()}. */
    private double trustedSeconds(List<CountPoint> points) {
        double span = points.size() < 2 ? 0
                : Duration.between(points.get(0).ts(), points.get(points.size() - 1).ts()).toMillis() / 1000.0;
        return Math.min(config.growthHorizon().toSeconds(), config.extrapolation() * span);
    }

    private Status status(HostHistory h, Instant now, boolean limited, OptionalDouble fill, OptionalDouble eta,
            boolean dropping) {
        Duration silent = Duration.between(h.lastSeen(), now);
        if (!h.imported() && silent.compareTo(h.interval().multipliedBy(config.staleIntervals())) > 0) {
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
        double f = fill.orElse(0);
        double e = eta.orElse(Double.POSITIVE_INFINITY);
        if (f >= config.critFill() || e <= config.critEta().toSeconds()) {
            return Status.CRIT;
        }
        if (f >= config.warnFill() || e <= config.warnEta().toSeconds()) {
            return Status.WARN;
        }
        return Status.OK;
    }

    /** A host's line plus the ETA (if any) trusted enough to order the growing tier. */
    private record Assessment(HostRank rank, double orderingEta) {
        int tier() {
            if (rank.fill().isEmpty()) {
                return 3;
            }
            if (rank.refusedPerSecond() > 0 || rank.status() == Status.DROPPING) {
                return 0;
            }
            return Double.isFinite(orderingEta) ? 1 : 2;
        }

        double keyWithinTier() {
            return switch (tier()) {
                case 0 -> -rank.refusedPerSecond();
                case 1 -> orderingEta;
                case 2 -> -rank.fill().getAsDouble();
                default -> -rank.count();
            };
        }
    }
}
