package ctfleet.server.query;

import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.LatestState;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** Fleet questions: translates requests to store reads and domain answers to protobuf. */
public final class QueryService extends QueryGrpc.QueryImplBase {
    private static final Logger LOG = Logger.getLogger(QueryService.class.getName());
    private final FleetReader fleet;

    public QueryService(FleetReader fleet) {
        this.fleet = fleet;
    }

    @Override
    public void top(TopRequest req, StreamObserver<TopResponse> out) {
        try {
            out.onNext(top(req));
            out.onCompleted();
        } catch (SQLException e) {
            LOG.warning("top: " + e.getMessage());
            out.onError(Status.UNAVAILABLE.withDescription("database unavailable: " + e.getMessage())
                    .asRuntimeException());
        }
    }

    /** The ranking itself, shared by the Top call and the /metrics exporter so the two always agree. */
    public TopResponse top(TopRequest req) throws SQLException {
        List<LatestState> hosts = fleet.latest();
        List<LatestState> chosen = new ArrayList<>();
        for (LatestState h : hosts) {
            if (matches(h.labels(), req.getLabelsMap())) {
                chosen.add(h);
            }
        }
        chosen.sort(NEAREST_TO_FULL);
        TopResponse.Builder resp = TopResponse.newBuilder();
        int rank = 0;
        for (LatestState h : chosen) {
            if (req.getLimit() > 0 && rank >= req.getLimit()) {
                break;
            }
            HostRank.Builder r = HostRank.newBuilder()
                    .setRank(++rank)
                    .setHost(h.hostId())
                    .setCount(h.count())
                    .setMax(h.max())
                    .setBuckets(h.buckets())
                    .setStatus(status(h))
                    .setLastSeenMillis(h.ts())
                    .putAllLabels(h.labels());
            fill(h).ifPresent(r::setFill);
            resp.addHosts(r);
        }
        return resp.build();
    }

    static boolean matches(Map<String, String> labels, Map<String, String> wanted) {
        for (var w : wanted.entrySet()) {
            if (!w.getValue().equals(labels.get(w.getKey()))) {
                return false;
            }
        }
        return true;
    }

    static java.util.OptionalDouble fill(LatestState h) {
        return h.loaded() && h.max() > 0
                ? java.util.OptionalDouble.of((double) h.count() / h.max())
                : java.util.OptionalDouble.empty();
    }

    static String status(LatestState h) {
        if (!h.loaded()) {
            return "no-conntrack";
        }
        if (h.max() == 0) {
            return "unlimited";
        }
        double f = (double) h.count() / h.max();
        return f >= 0.9 ? "crit" : f >= 0.75 ? "warn" : "ok";
    }

    // Hosts with a limit by fill, fullest first; hosts with no limit (max 0) or no conntrack after all of them.
    private static final Comparator<LatestState> NEAREST_TO_FULL = Comparator
            .comparingDouble((LatestState h) -> fill(h).isPresent() ? -fill(h).getAsDouble() : 1.0)
            .thenComparing(LatestState::hostId);
}
