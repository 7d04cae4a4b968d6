package ctfleet.server.query;

import ctfleet.proto.v1.CapacityRequest;
import ctfleet.proto.v1.CapacityResponse;
import ctfleet.proto.v1.HistoryRequest;
import ctfleet.proto.v1.HistoryResponse;
import ctfleet.proto.v1.HostDetail;
import ctfleet.proto.v1.HostRequest;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.SummaryRequest;
import ctfleet.proto.v1.SummaryResponse;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import ctfleet.server.fleet.CapacityPlan;
import ctfleet.server.fleet.CapacityPlanner;
import ctfleet.server.fleet.CounterTotals;
import ctfleet.server.fleet.FleetCapacity;
import ctfleet.server.fleet.HostFacts;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.IntervalRates;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.LabelFilter;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.fleet.RankerConfig;
import ctfleet.server.fleet.Status;
import ctfleet.server.fleet.TimeoutAdvisor;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.LatestState;
import ctfleet.server.store.Step;
import ctfleet.server.store.StoreUnavailable;
import ctfleet.server.health.StoreStatus;
import io.grpc.stub.StreamObserver;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * Fleet questions: reads the store, asks the fleet logic ({@link Ranker}, {@link CapacityPlanner},
 * {@link TimeoutAdvisor}) and translates the answers to protobuf.
 */
public final class QueryService extends QueryGrpc.QueryImplBase {
    private static final Logger LOG = Logger.getLogger(QueryService.class.getName());
    /** The window of Top, the host view and /metrics when a request names none. */
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
    static final Duration MAX_WINDOW = Duration.ofDays(3650);
    static final List<String> COUNTERS = List.of("drop", "early_drop", "insert_failed", "invalid");

    private final FleetHistories histories;
    private final HistoryReader history;
    private final FleetReader fleet;
    private final Clock clock;

    public QueryService(FleetReader fleet, HistoryReader history, Clock clock) {
        this.fleet = fleet;
        this.clock = clock;
        this.history = history;
        this.histories = new FleetHistories(fleet, history, clock);
    }

    /** A user mistake in a request: INVALID_ARGUMENT with this text. */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** A host the server has never heard of: NOT_FOUND. */
    static final class UnknownHost extends Exception {
        UnknownHost(String host) {
            super("no host '" + host + "' has reported to this server", null, false, false);
        }
    }

    @FunctionalInterface
    interface Answer<T> {
        T get() throws SQLException, BadRequest, UnknownHost;
    }

    private <T> void answer(String what, StreamObserver<T> out, Answer<T> a) {
        var fault = fleet.health().current();
        if (fault.isPresent()) {
            // Not half an answer from a database that stopped storing: the reason instead.
            out.onError(StoreStatus.of(fault.get()));
            return;
        }
        try {
            out.onNext(a.get());
            out.onCompleted();
        } catch (BadRequest e) {
            out.onError(io.grpc.Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (UnknownHost e) {
            out.onError(io.grpc.Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
        } catch (SQLException e) {
            if (fleet.health().failed(e) instanceof StoreUnavailable u) {
                out.onError(StoreStatus.of(u.fault()));
                return;
            }
            LOG.warning(what + ": " + e.getMessage());
            out.onError(io.grpc.Status.UNAVAILABLE.withDescription("database unavailable: " + e.getMessage())
                    .asRuntimeException());
        }
    }

    @Override
    public void top(TopRequest req, StreamObserver<TopResponse> out) {
        answer("top", out, () -> top(req));
    }

    /** The ranking itself, shared by the Top call and the /metrics exporter so the two always agree. */
    public TopResponse top(TopRequest req) throws SQLException, BadRequest {
        FleetHistories.Loaded loaded = histories.forRanking(window(req.getWindowSeconds()));
        List<HostRank> ranked = rank(loaded, config(req), new LabelFilter(req.getLabelsMap()));
        TopResponse.Builder resp = TopResponse.newBuilder();
        for (HostRank r : ranked) {
            if (req.getLimit() > 0 && resp.getHostsCount() >= req.getLimit()) {
                break;
            }
            resp.addHosts(Wire.rank(r));
        }
        return resp.build();
    }

    private static List<HostRank> rank(FleetHistories.Loaded loaded, RankerConfig config, LabelFilter filter) {
        List<HostHistory> chosen = new ArrayList<>();
        for (HostHistory h : loaded.histories()) {
            if (filter.matches(h.labels())) {
                chosen.add(h);
            }
        }
        return new Ranker(config).rank(chosen, loaded.now());
    }


    @Override
    public void host(HostRequest req, StreamObserver<HostDetail> out) {
        answer("host", out, () -> host(req));
    }

    HostDetail host(HostRequest req) throws SQLException, BadRequest, UnknownHost {
        Duration window = window(req.getWindowSeconds());
        List<LatestState> found = fleet.latest(req.getHost());
        if (found.isEmpty()) {
            throw new UnknownHost(req.getHost());
        }
        LatestState l = found.get(0);
        FleetHistories.Loaded loaded = histories.forRanking(window);
        List<HostRank> ranked = rank(loaded, horizon(req.getHorizonSeconds()), LabelFilter.ALL);
        HostRank rank = ranked.stream().filter(r -> r.host().equals(l.hostId())).findFirst().orElseThrow();
        // The ranking already read this host's window: no second query for it.
        HostHistory h = loaded.histories().stream().filter(x -> x.host().equals(l.hostId())).findFirst().orElseThrow();
        CounterTotals totals = CounterTotals.of(h.counters());
        EntryBreakdown entries = EntryBreakdown.parse(l.entries(), l.count());
        HostDetail.Builder b = HostDetail.newBuilder()
                .setRank(Wire.rank(rank))
                .setKernel(l.kernel())
                .setSampleSize((int) entries.sampleSize())
                .setSampleParseErrors((int) entries.parseErrors())
                .addAllStates(entries.states())
                .addAllTopDestinations(entries.destinations())
                .addAllTopSources(entries.sources())
                .setAssuredEstimated(entries.assured())
                .setUnrepliedEstimated(entries.unreplied())
                .addAllRawEntries(entries.raw())
                .setBytesPerEntry(l.bytesPerEntry())
                .setBytesPerEntryEstimated(l.bytesEstimated())
                .putAllTimeouts(l.timeouts())
                .setDroppedSamples(l.droppedSamples())
                .setConflicts(l.conflicts());
        l.clockOffsetMillis().ifPresent(b::setClockOffsetMillis);
        l.stats().forEach((k, v) -> b.putStats(k, v));
        // Every counter over the newest sampling interval; the ranking's four over the whole window.
        IntervalRates.between(l.previous().stats(), l.previous().ts(), l.previous().sameBoot(), l.stats(), l.ts())
                .forEach(b::putRates);
        if (totals.seconds() > 0) {
            for (String c : COUNTERS) {
                b.putRates(c, totals.perSecond(c));
            }
        }
        l.memTotalBytes().ifPresent(b::setHostMemoryBytes);
        if (l.loaded()) {
            HostFacts facts = CapacityInputs.facts(l, l.entries(), CapacityInputs.refusals(h.counters(), h.points()));
            b.setCapacity(Wire.capacity(new CapacityPlanner(Duration.ofDays(30), 1.5).plan(h, facts, clock.instant()),
                    l.bytesEstimated()));
            TimeoutAdvisor.defaults().advise(entries.stateSample(), l.timeouts(), l.count(), l.max())
                    .forEach(a -> b.addAdvice(Wire.advice(a)));
        }
        return b.build();
    }

    @Override
    public void history(HistoryRequest req, StreamObserver<HistoryResponse> out) {
        answer("history", out, () -> history(req));
    }

    HistoryResponse history(HistoryRequest req) throws SQLException, BadRequest, UnknownHost {
        Duration since = req.getSinceSeconds() == 0 ? DEFAULT_WINDOW : window(req.getSinceSeconds());
        Step step;
        try {
            step = Step.parse(req.getStep());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("step: " + e.getMessage());
        }
        if (fleet.latest(req.getHost()).isEmpty()) {
            throw new UnknownHost(req.getHost());
        }
        long now = clock.millis();
        long from = now - since.toMillis();
        Step resolved = history.resolve(from, step);
        HistoryResponse.Builder b = HistoryResponse.newBuilder().setHost(req.getHost())
                .setStep(resolved == Step.RAW ? "raw" : resolved == Step.MINUTE ? "1m" : "1h");
        for (var p : history.series(req.getHost(), from, now + 1, resolved)) {
            b.addPoints(Wire.point(p));
        }
        return b.build();
    }

    @Override
    public void capacity(CapacityRequest req, StreamObserver<CapacityResponse> out) {
        answer("capacity", out, () -> capacity(req));
    }

    CapacityResponse capacity(CapacityRequest req) throws SQLException, BadRequest {
        Duration window = req.getWindowSeconds() == 0 ? Duration.ofDays(30) : window(req.getWindowSeconds());
        Duration horizon = req.getHorizonSeconds() == 0 ? Duration.ofDays(30) : window(req.getHorizonSeconds());
        double headroom = req.getHeadroom() == 0 ? 1.5 : req.getHeadroom();
        if (!(headroom >= 1.0 && headroom <= 100)) {
            throw new BadRequest("headroom must be from 1.0 to 100, got " + headroom);
        }
        double share = req.getMaxMemoryShare() == 0 ? CapacityPlanner.DEFAULT_MAX_MEMORY_SHARE : req.getMaxMemoryShare();
        if (!(share > 0 && share <= 1)) {
            throw new BadRequest("max_memory_share must be above 0 and at most 1 (0.25 = a quarter of a host's"
                    + " MemTotal), got " + req.getMaxMemoryShare());
        }
        // Peaks and daily growth over weeks: hourly rollups say it as well as raw rows, at 1/360 the reading.
        Step step = window.compareTo(Duration.ofDays(2)) > 0 ? Step.HOUR : Step.AUTO;
        CapacityInputs.Loaded loaded = CapacityInputs.load(fleet, history, clock, window, step);
        LabelFilter filter = new LabelFilter(req.getLabelsMap());
        List<HostHistory> chosen = new ArrayList<>();
        for (HostHistory h : loaded.histories()) {
            if (filter.matches(h.labels()) && loaded.latest().get(h.host()).loaded()) {
                chosen.add(h);
            }
        }
        chosen.sort(java.util.Comparator.comparing(HostHistory::host));
        FleetCapacity plan = new CapacityPlanner(horizon, headroom, share).planFleet(chosen, loaded.facts(),
                loaded.now());
        CapacityResponse.Builder b = CapacityResponse.newBuilder().setTotalMemoryBytes(plan.totalMemoryBytes());
        for (CapacityPlan p : plan.hosts()) {
            b.addHosts(Wire.capacity(p, loaded.latest().get(p.host()).bytesEstimated()));
        }
        return b.build();
    }

    @Override
    public void summary(SummaryRequest req, StreamObserver<SummaryResponse> out) {
        answer("summary", out, () -> summary(req));
    }

    SummaryResponse summary(SummaryRequest req) throws SQLException, BadRequest {
        Duration window = window(req.getWindowSeconds());
        FleetHistories.Loaded loaded = histories.forRanking(window);
        List<HostRank> ranked = new Ranker(horizon(req.getHorizonSeconds())).rank(loaded.histories(), loaded.now());
        Map<String, Integer> byStatus = new TreeMap<>();
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
        SummaryResponse.Builder b = SummaryResponse.newBuilder()
                .setHosts(ranked.size())
                .setStale(stale)
                .setWithoutConntrack(noConntrack)
                .putAllByStatus(byStatus)
                .setDropsInWindow(drops);
        ranked.stream().limit(5).forEach(r -> b.addNearest(Wire.rank(r)));
        return b.build();
    }

    private static Duration window(long seconds) throws BadRequest {
        if (seconds == 0) {
            return DEFAULT_WINDOW;
        }
        Duration d = Duration.ofSeconds(seconds);
        if (d.compareTo(MAX_WINDOW) > 0) {
            throw new BadRequest("window of " + seconds + " s is longer than ten years");
        }
        return d;
    }

    private static RankerConfig config(TopRequest req) throws BadRequest {
        long horizon = req.getHorizonSeconds() != 0 ? req.getHorizonSeconds() : req.getEtaWarnSeconds();
        try {
            return horizon(horizon).withFills(req.getWarnFill() == 0 ? Double.NaN : req.getWarnFill(),
                    req.getCritFill() == 0 ? Double.NaN : req.getCritFill());
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    /** The default ranking with the horizon asked for (0: the default 24h). */
    private static RankerConfig horizon(long seconds) throws BadRequest {
        if (seconds == 0) {
            return RankerConfig.defaults();
        }
        if (seconds > RankerConfig.MAX_HORIZON.toSeconds()) {
            throw new BadRequest("horizon of " + seconds + " s is longer than 30 days");
        }
        return RankerConfig.defaults().withHorizon(Duration.ofSeconds(seconds));
    }
}
