package ctfleet.server.query;

import ctfleet.server.store.HistoryPoint;
import ctfleet.server.store.Step;
import java.util.List;

/** One host's history, oldest first, at the resolution the range was read at ({@link Step#RAW}, MINUTE or HOUR). */
public record HostSeries(String host, Step step, List<HistoryPoint> points) {
    public HostSeries {
        points = List.copyOf(points);
    }
}
