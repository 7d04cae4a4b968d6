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
import ctfleet.server.health.StoreStatus;
import ctfleet.server.store.StoreException;
import ctfleet.server.store.StoreUnavailable;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.logging.Logger;

/**
 * The Query service over gRPC: each request is checked field by field and becomes a
 * {@link FleetQueries} question ({@link QueryRequests}; the wire's 0 means "the default"), each
 * answer becomes protobuf ({@link Wire}), each failure a status: INVALID_ARGUMENT for a bad
 * question, NOT_FOUND for a well-formed host id that never reported, UNAVAILABLE with the reason for
 * a database that cannot answer.
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
            for (var r : queries.top(QueryRequests.top(new QueryRequests.TopFields(req.getLimit(),
                    req.getWindowSeconds(), req.getLabelsMap(), req.getWarnFill(), req.getCritFill(),
                    req.getEtaWarnSeconds(), req.getEtaCritSeconds(), req.getHorizonSeconds())))) {
                resp.addHosts(Wire.rank(r));
            }
            return resp.build();
        });
    }

    @Override
    public void host(HostRequest req, StreamObserver<HostDetail> out) {
        answer("host", out, () -> {
            QueryRequests.HostQuestion q = QueryRequests.host(req.getHost(), req.getWindowSeconds(),
                    req.getHorizonSeconds());
            return Wire.host(queries.host(q.host(), q.window(), q.horizon()));
        });
    }

    @Override
    public void history(HistoryRequest req, StreamObserver<HistoryResponse> out) {
        answer("history", out, () -> {
            QueryRequests.HistoryQuestion q = QueryRequests.history(req.getHost(), req.getSinceSeconds(),
                    req.getStep());
            return Wire.history(queries.history(q.host(), q.since(), q.step()));
        });
    }

    @Override
    public void capacity(CapacityRequest req, StreamObserver<CapacityResponse> out) {
        answer("capacity", out, () -> Wire.capacity(queries.capacity(QueryRequests.capacity(
                new QueryRequests.CapacityFields(req.getWindowSeconds(), req.getHorizonSeconds(), req.getHeadroom(),
                        req.getLabelsMap(), req.getMaxMemoryShare())))));
    }

    @Override
    public void summary(SummaryRequest req, StreamObserver<SummaryResponse> out) {
        answer("summary", out, () -> {
            QueryRequests.SummaryQuestion q = QueryRequests.summary(req.getWindowSeconds(),
                    req.getHorizonSeconds());
            return Wire.summary(queries.summary(q.window(), q.horizon()));
        });
    }
}
