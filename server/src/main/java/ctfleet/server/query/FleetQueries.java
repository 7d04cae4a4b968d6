package ctfleet.server.query;

import ctfleet.server.fleet.CapacityPlan;
import ctfleet.server.fleet.CounterTotals;
import ctfleet.server.fleet.DeclaredPairs;
import ctfleet.server.fleet.FailoverPairs;
import ctfleet.server.fleet.FleetCapacity;
import ctfleet.server.fleet.HostFacts;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.IntervalRates;
import ctfleet.server.fleet.LabelFilter;
import ctfleet.server.fleet.PairLoad;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.fleet.RankerConfig;
import ctfleet.server.fleet.Status;
import ctfleet.server.fleet.TimeoutAdvice;
import ctfleet.server.fleet.TimeoutAdvisor;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.LatestState;
import ctfleet.server.store.Step;
import ctfleet.server.store.StoreException;
import ctfleet.server.store.StoreUnavailable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fleet questions, without a transport: read the store, ask the fleet logic ({@link Ranker},
 * {@link ctfleet.server.fleet.CapacityPlanner}, {@link TimeoutAdvisor}), answer in domain types. The
 * gRPC service ({@link QueryService}) and the Prometheus exporter call these, so every answer of the
 * same question is the same; an HTML page would call them too.
 *
 * <p>A database that stopped storing answers nothing: every question throws {@link StoreUnavailable}
 * with the reason rather than half an answer.
 */
public final class FleetQueries {
    /** The window of Top, the host view and /metrics when a question names none. */
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
    /** The longest history any question may read: no server keeps more. */
    static final Duration MAX_WINDOW = Duration.ofDays(3650);
    static final List<String> COUNTERS = List.of("drop", "early_drop", "insert_failed", "invalid");

    private final FleetReader fleet;
    private final HistoryReader history;
    private final FleetHistories histories;
    private final Clock clock;
    private final RankingMemo rankings = new RankingMemo();

    public FleetQueries(FleetReader fleet, HistoryReader history, Clock clock) {
        this.fleet = fleet;
        this.history = history;
        this.clock = clock;
        this.histories = new FleetHistories(fleet, history, clock);
    }

    /**
     * Reads every host's tails into memory, as the first ranking after a start would: run in the
     * background at start, so that the first Top or scrape finds them (or waits for the hosts still
     * being read instead of reading them again). Returns how many tails it read from the database.
     */
    public long warmUp() throws StoreException {
        long before = history.tailReads();
        histories.forRanking(DEFAULT_WINDOW);
        return history.tailReads() - before;
    }

    /** Hosts nearest to table-full first: the ranking of {@code ctfleet top} and of /metrics. */
    public List<HostRank> top(TopQuery q) throws StoreException, BadQuery {
        checkStore();
        checkWindow(q.window());
        FleetHistories.Loaded loaded = histories.forRanking(q.window());
        List<HostHistory> chosen = new ArrayList<>();
        for (HostHistory h : loaded.histories()) {
            if (q.labels().matches(h.labels())) {
                chosen.add(h);
            }
        }
        List<HostRank> ranked = new Ranker(q.config()).rank(chosen, loaded.now(), loaded.histories());
        if (q.labels().equals(LabelFilter.ALL)) {
            rankings.remember(q.window(), q.config(), loaded.now(), ranked);
        }
        return q.limit() > 0 && ranked.size() > q.limit() ? ranked.subList(0, q.limit()) : ranked;
    }

    /**
     * Everything about one host, from its own state and history: its numbers are its assessment
     * ({@link Ranker#assess}, with its failover partner looked for in the fleet: the same as its line
     * of the ranking). Its place in the fleet is a
     * question about the fleet: it comes from the fleet's newest ranking at this window and horizon
     * (Top, Summary and every /metrics scrape make one), when that is at most a minute old, else the
     * fleet is ranked for it.
     */
    public HostView host(String host, Duration window, Duration horizon) throws StoreException, BadQuery, UnknownHost {
        checkStore();
        checkWindow(window);
        RankerConfig config = ranking(horizon);
        LatestState l = fleet.latest(host).orElseThrow(() -> new UnknownHost(host));
        Instant now = clock.instant();
        // Its partner, if it has one, is in the fleet's history, not its own (FailoverPairs): the
        // fleet's read holds this host's too, so it is not read a second time.
        List<HostHistory> all = histories.forRanking(window).histories();
        HostHistory h = null;
        for (HostHistory candidate : all) {
            if (candidate.host().equals(host)) {
                h = candidate;
            }
        }
        if (h == null) {
            h = histories.forRanking(window, l); // it reported after the fleet was read
        }
        Ranker.InFleet inFleet = new Ranker(config).assessInFleet(h, now, all);
        HostRank own = inFleet.rank();
        HostRank rank = at(own, position(l.hostId(), window, config, now));
        EntryEstimates entries = EntryEstimates.of(l.entries(), l.count());
        Map<String, Double> rates = new TreeMap<>();
        // Every counter over the newest sampling interval; the ranking's four over the whole window.
        rates.putAll(IntervalRates.between(l.previous().stats(), l.previous().ts(), l.previous().boot(), l.stats(),
                l.ts()));
        CounterTotals totals = CounterTotals.of(h.counters());
        if (totals.seconds() > 0) {
            for (String c : COUNTERS) {
                rates.put(c, totals.perSecond(c));
            }
        }
        Optional<CapacityPlan> plan = Optional.empty();
        List<TimeoutAdvice> advice = List.of();
        if (l.loaded()) {
            HostFacts facts = CapacityInputs.facts(l, entries, CapacityInputs.refusals(h.counters(), h.points()));
            FailoverPairs.Partner partner = inFleet.partners().get(host);
            Optional<PairLoad> pair = partner == null ? Optional.empty()
                    : Optional.ofNullable(PairLoad.of(all, Map.of(host, partner), now).get(host));
            plan = Optional.of(CapacityQuery.defaults().planner().plan(h, facts, clock.instant(), pair));
            advice = TimeoutAdvisor.defaults().advise(entries.stateSample(), l.timeouts(), l.count(), l.max());
        }
        return new HostView(rank, l, entries, rates, plan, advice);
    }

    /** One host's series over the last {@code since}, oldest first, at {@code step} (AUTO: the finest kept). */
    public HostSeries history(String host, Duration since, Step step) throws StoreException, BadQuery, UnknownHost {
        checkStore();
        checkWindow(since);
        if (fleet.latest(host).isEmpty()) {
            throw new UnknownHost(host);
        }
        long now = clock.millis();
        long from = now - since.toMillis();
        Step resolved = history.resolve(from, step);
        return new HostSeries(host, resolved, history.series(host, from, now + 1, resolved));
    }

    /** Every chosen host's capacity plan, hosts with conntrack only, by host id; and the fleet's total. */
    public FleetPlan capacity(CapacityQuery q) throws StoreException, BadQuery {
        checkStore();
        checkWindow(q.window());
        checkRange("horizon", q.horizon());
        if (!(q.headroom() >= 1.0 && q.headroom() <= 100)) {
            throw new BadQuery("headroom must be from 1.0 to 100, got " + q.headroom());
        }
        if (!(q.maxMemoryShare() > 0 && q.maxMemoryShare() <= 1)) {
            throw new BadQuery("max_memory_share must be above 0 and at most 1 (0.25 = a quarter of a host's"
                    + " MemTotal), got " + q.maxMemoryShare());
        }
        // Peaks and daily growth over weeks: hourly rollups say it as well as raw rows, at 1/360 the reading.
        Step step = q.window().compareTo(Duration.ofDays(2)) > 0 ? Step.HOUR : Step.AUTO;
        CapacityInputs.Loaded loaded = CapacityInputs.load(fleet, history, clock, q.window(), step);
        List<HostHistory> chosen = new ArrayList<>();
        for (HostHistory h : loaded.histories()) {
            if (q.labels().matches(h.labels()) && loaded.latest().get(h.host()).loaded()) {
                chosen.add(h);
            }
        }
        chosen.sort(Comparator.comparing(HostHistory::host));
        // Partners are found in the ranking's two days of 10-minute buckets (hourly rollups blur a
        // failover), from memory; the load they must hold together is read over the plan's window.
        // Pairs an operator declared (label ha_pair) are added: a pair that has not failed over lately
        // is not in the history.
        Map<String, FailoverPairs.Partner> partners = DeclaredPairs.with(
                FailoverPairs.partners(histories.forRanking(DEFAULT_WINDOW).histories(), loaded.now()),
                loaded.histories());
        FleetCapacity plan = q.planner().planFleet(chosen, loaded.facts(), loaded.now(),
                PairLoad.of(loaded.histories(), partners, loaded.now()));
        List<PlannedHost> hosts = new ArrayList<>(plan.hosts().size());
        for (CapacityPlan p : plan.hosts()) {
            hosts.add(new PlannedHost(p, loaded.latest().get(p.host()).bytesEstimated()));
        }
        Set<String> names = new HashSet<>();
        chosen.forEach(h -> names.add(h.host()));
        return new FleetPlan(hosts, plan.totalMemoryBytes(), plan.totalAdditionalMemoryBytes(),
                DeclaredPairs.unpaired(loaded.histories(), names));
    }

    /** The fleet at a glance over {@code window}, ranked with {@code horizon}. */
    public FleetSummary summary(Duration window, Duration horizon) throws StoreException, BadQuery {
        checkStore();
        checkWindow(window);
        RankerConfig config = ranking(horizon);
        FleetHistories.Loaded loaded = histories.forRanking(window);
        List<HostRank> ranked = new Ranker(config).rank(loaded.histories(), loaded.now());
        rankings.remember(window, config, loaded.now(), ranked);
        Map<String, Integer> byStatus = new HashMap<>();
        double drops = 0;
        for (HostHistory h : loaded.histories()) {
            CounterTotals t = CounterTotals.of(h.counters());
            drops += t.increase("drop") + t.increase("early_drop") + t.increase("insert_failed");
        }
        int stale = 0;
        int noConntrack = 0;
        for (HostRank r : ranked) {
            byStatus.merge(r.status().wireName(), 1, Integer::sum);
            stale += r.status() == Status.STALE ? 1 : 0;
            noConntrack += r.status() == Status.NO_CONNTRACK ? 1 : 0;
        }
        return new FleetSummary(ranked.size(), stale, noConntrack, byStatus, drops,
                ranked.subList(0, Math.min(5, ranked.size())));
    }

    /** The default ranking with {@code horizon}; a horizon beyond what the ranking forecasts is a bad question. */
    public static RankerConfig ranking(Duration horizon) throws BadQuery {
        if (horizon.compareTo(RankerConfig.MAX_HORIZON) > 0) {
            throw new BadQuery("horizon of " + horizon.toSeconds() + " s is longer than 30 days");
        }
        try {
            return RankerConfig.defaults().withHorizon(horizon);
        } catch (IllegalArgumentException e) {
            throw new BadQuery(e.getMessage());
        }
    }

    /** Not half an answer from a database that stopped storing: the reason instead. */
    private void checkStore() throws StoreUnavailable {
        var fault = fleet.health().current();
        if (fault.isPresent()) {
            throw new StoreUnavailable(fault.get(), null);
        }
    }

    private static void checkWindow(Duration d) throws BadQuery {
        checkRange("window", d);
    }

    /** A span of history (or a plan's horizon): the request checks name the wire's field; this names the question's. */
    private static void checkRange(String what, Duration d) throws BadQuery {
        if (d.isNegative()) {
            throw new BadQuery(what + " of " + Long.toUnsignedString(d.getSeconds()) + " s is longer than ten years");
        }
        if (d.compareTo(MAX_WINDOW) > 0) {
            throw new BadQuery(what + " of " + d.toSeconds() + " s is longer than ten years");
        }
    }

    /** The host's place in the fleet's ranking: from the newest one when fresh, else from ranking the fleet now. */
    private int position(String host, Duration window, RankerConfig config, Instant now)
            throws StoreException, BadQuery {
        OptionalInt known = rankings.position(host, window, config, now);
        if (known.isPresent()) {
            return known.getAsInt();
        }
        for (HostRank r : top(new TopQuery(window, config, LabelFilter.ALL, 0))) {
            if (r.host().equals(host)) {
                return r.rank();
            }
        }
        return 0; // not in the fleet's ranking: it has no latest state (never happens for a known host)
    }

    private static HostRank at(HostRank r, int position) {
        return new HostRank(position, r.host(), r.count(), r.max(), r.buckets(), r.fill(), r.pFull(), r.etaSeconds(),
                r.etaLowSeconds(), r.etaHighSeconds(), r.reason(), r.dropsPerSecond(), r.earlyDropsPerSecond(),
                r.insertFailedPerSecond(), r.status(), r.lastSeen(), r.labels());
    }
}
