package ctfleet.cli.importer;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One series of a query_range answer: its labels (with {@code __name__}) and its points, in time
 * order. Arrays rather than lists of objects: a 30-day import reads hundreds of millions of points.
 */
public record PromSeries(SortedMap<String, String> labels, long[] tsMillis, double[] values) {
    public PromSeries {
        labels = new TreeMap<>(labels);
        if (tsMillis.length != values.length) {
            throw new IllegalArgumentException("timestamps and values differ in length");
        }
    }

    public static PromSeries of(Map<String, String> labels, long[] tsMillis, double[] values) {
        return new PromSeries(new TreeMap<>(labels), tsMillis, values);
    }

    public String name() {
        return labels.getOrDefault("__name__", "");
    }
}
