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
import ctfleet.server.fleet.CapacityPlanner;
import ctfleet.server.fleet.LabelFilter;
import ctfleet.server.fleet.RankerConfig;
import ctfleet.server.health.StoreStatus;
import ctfleet.server.store.Step;
import ctfleet.server.store.StoreException;
import ctfleet.server.store.StoreUnavailable;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The Query service over gRPC: each request becomes a {@link FleetQueries} question (the wire's 0
 * means "the default"), each answer becomes protobuf ({@link Wire}), each failure a status:
 * INVALID_ARGUMENT for a bad question, NOT_FOUND for an unknown host, UNAVAILABLE with the reason
 * for a database that cannot answer.
 */
public final class QueryService extends QueryGrpc.QueryImplBase {
    private static final Logger LOG = Logger.getLogger(QueryService.class.getName());

    private final FleetQueries queries;

    public QueryService(FleetQueries queries) {
        this.queries = queries;
    }

    @FunctionalInterface
    interface Answer<T> {
        T get() throws StoreException, BadQuery, UnknownHost;
    }

    private static <T> void answer(String what, StreamObserver<T> out, Answer<T> a) {
        try {
            out.onNext(a.get());
            out.onCompleted();
        } catch (BadQuery e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (UnknownHost e) {
            out.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
        } catch (StoreUnavailable e) {
            out.onError(StoreStatus.of(e.fault()));
        } catch (StoreException e) {
            LOG.warning(what + ": " + e.getMessage());
            out.onError(Status.UNAVAILABLE.withDescription("database unavailable: " + e.getMessage())
                    .asRuntimeException());
        }
    }

    @Override
    public void top(TopRequest req, StreamObserver<TopResponse> out) {
        answer("top", out, () -> {
            TopResponse.Builder resp = TopResponse.newBuilder();
            for (var r : queries.top(new TopQuery(window(req.getWindowSeconds()), config(req),
                    new LabelFilter(req.getLabelsMap()), req.getLimit()))) {
                resp.addHosts(Wire.rank(r));
            }
            return resp.build();
        });
    }

    @Override
    public void host(HostRequest req, StreamObserver<HostDetail> out) {
        answer("host", out, () -> Wire.host(queries.host(req.getHost(), window(req.getWindowSeconds()),
                horizon(req.getHorizonSeconds()))));
    }

    @Override
    public void history(HistoryRequest req, StreamObserver<HistoryResponse> out) {
        answer("history", out, () -> {
            Step step;
            try {
                step = Step.parse(req.getStep());
            } catch (IllegalArgumentException e) {
                throw new BadQuery("step: " + e.getMessage());
            }
            return Wire.history(queries.history(req.getHost(), window(req.getSinceSeconds()), step));
        });
    }

    @Override
    public void capacity(CapacityRequest req, StreamObserver<CapacityResponse> out) {
        answer("capacity", out, () -> Wire.capacity(queries.capacity(new CapacityQuery(
                req.getWindowSeconds() == 0 ? CapacityQuery.DEFAULT_WINDOW : Duration.ofSeconds(req.getWindowSeconds()),
                req.getHorizonSeconds() == 0 ? CapacityQuery.DEFAULT_HORIZON : Duration.ofSeconds(req.getHorizonSeconds()),
                req.getHeadroom() == 0 ? CapacityQuery.DEFAULT_HEADROOM : req.getHeadroom(),
                req.getMaxMemoryShare() == 0 ? CapacityPlanner.DEFAULT_MAX_MEMORY_SHARE : req.getMaxMemoryShare(),
                new LabelFilter(req.getLabelsMap())))));
    }

    @Override
    public void summary(SummaryRequest req, StreamObserver<SummaryResponse> out) {
        answer("summary", out, () -> Wire.summary(queries.summary(window(req.getWindowSeconds()),
                horizon(req.getHorizonSeconds()))));
    }

    /** A window (or since) in seconds; 0 is the default hour. */
    private static Duration window(long seconds) {
        return seconds == 0 ? FleetQueries.DEFAULT_WINDOW : Duration.ofSeconds(seconds);
    }

    /** A horizon in seconds; 0 is the ranking's default (24h). */
    private static Duration horizon(long seconds) {
        return seconds == 0 ? RankerConfig.DEFAULT_HORIZON : Duration.ofSeconds(seconds);
    }

    /** Older clients sent their ETA threshold where the horizon now goes; fill rules of 0 are none. */
    private static RankerConfig config(TopRequest req) throws BadQuery {
        long horizon = req.getHorizonSeconds() != 0 ? req.getHorizonSeconds() : req.getEtaWarnSeconds();
        RankerConfig ranking = FleetQueries.ranking(horizon(horizon));
        try {
            return ranking.withFills(req.getWarnFill() == 0 ? Double.NaN : req.getWarnFill(),
                    req.getCritFill() == 0 ? Double.NaN : req.getCritFill());
        } catch (IllegalArgumentException e) {
            throw new BadQuery(e.getMessage());
        }
    }
}
