package ctfleet.cli.importer;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Pure parsers of Prometheus' HTTP API answers ({@code /api/v1/query_range}, {@code /api/v1/series}),
 * streaming: a large matrix is never held as a JSON tree. Anything that is not the API's envelope
 * is "not a Prometheus", and {@code "status": "error"} becomes a {@link PromError} of the right kind.
 */
public final class PromJson {
    private PromJson() {}

    /** The series of a {@code resultType: matrix} answer. */
    public static List<PromSeries> matrix(Reader body, String what) throws PromError {
        List<PromSeries> out = new ArrayList<>();
        envelope(body, what, r -> {
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "resultType" -> {
                        String type = r.nextString();
                        if (!type.equals("matrix")) {
                            throw new JsonParseException("resultType " + type + ", expected matrix");
                        }
                    }
                    case "result" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            out.add(series(r));
                        }
                        r.endArray();
                    }
                    default -> r.skipValue();
                }
            }
            r.endObject();
        });
        return out;
    }

    /** The label sets of a {@code /api/v1/series} answer. */
    public static List<SortedMap<String, String>> labelSets(Reader body, String what) throws PromError {
        List<SortedMap<String, String>> out = new ArrayList<>();
        envelope(body, what, r -> {
            r.beginArray();
            while (r.hasNext()) {
                out.add(labels(r));
            }
            r.endArray();
        });
        return out;
    }

    private interface DataReader {
        void read(JsonReader r) throws IOException;
    }

    private static void envelope(Reader body, String what, DataReader data) throws PromError {
        String status = null;
        String errorType = "";
        String error = "";
        boolean sawData = false;
        try {
            JsonReader r = new JsonReader(body);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw notPrometheus(what, "not a JSON object");
            }
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "status" -> status = r.nextString();
                    case "errorType" -> errorType = r.nextString();
                    case "error" -> error = r.nextString();
                    case "data" -> {
                        if (r.peek() == JsonToken.NULL) {
                            r.nextNull();
                        } else {
                            data.read(r);
                            sawData = true;
                        }
                    }
                    default -> r.skipValue();
                }
            }
            r.endObject();
        } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw notPrometheus(what, why(e));
        }
        if ("error".equals(status)) {
            throw error(errorType, error);
        }
        if (!"success".equals(status) || !sawData) {
            throw notPrometheus(what, "JSON without Prometheus' {\"status\": \"success\", \"data\": ...} envelope");
        }
    }

    /** Which of Prometheus' errors mean "ask for less at a time" rather than "this cannot work". */
    static PromError error(String errorType, String error) {
        String text = "Prometheus: " + (errorType.isEmpty() ? "" : errorType + ": ") + error;
        boolean tooBig = error.contains("too many samples") || error.contains("maximum resolution")
                || errorType.equals("timeout") || error.contains("query timed out");
        return new PromError(tooBig ? PromError.Kind.LIMIT : PromError.Kind.QUERY, text);
    }

    /**
     * What was wrong with the answer, on one line: Gson's messages add a second line pointing at its
     * troubleshooting page and advise a lenient mode, both meant for a developer, not an operator.
     */
    static String why(Exception e) {
        if (e instanceof com.google.gson.stream.MalformedJsonException) {
            return "not JSON" + where(e.getMessage());
        }
        String first = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse("");
        return "not the JSON it answers with (" + first.strip() + ")";
    }

    private static String where(String message) {
        if (message == null) {
            return "";
        }
        int at = message.indexOf(" at line ");
        return at < 0 ? "" : " (" + message.substring(at + 1).lines().findFirst().orElse("").strip() + ")";
    }

    private static PromError notPrometheus(String what, String why) {
        return new PromError(PromError.Kind.NOT_PROMETHEUS, what + " did not answer like Prometheus' HTTP API: " + why);
    }

    private static PromSeries series(JsonReader r) throws IOException {
        SortedMap<String, String> labels = new TreeMap<>();
        long[] ts = new long[0];
        double[] values = new double[0];
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "metric" -> labels = labels(r);
                case "values" -> {
                    long[] t = new long[256];
                    double[] v = new double[256];
                    int n = 0;
                    r.beginArray();
                    while (r.hasNext()) {
                        if (n == t.length) {
                            t = Arrays.copyOf(t, n * 2);
                            v = Arrays.copyOf(v, n * 2);
                        }
                        r.beginArray();
                        // Seconds with millisecond decimals; rounding undoes the float's representation error.
                        t[n] = Math.round(r.nextDouble() * 1000);
                        v[n] = value(r.nextString());
                        r.endArray();
                        n++;
                    }
                    r.endArray();
                    ts = Arrays.copyOf(t, n);
                    values = Arrays.copyOf(v, n);
                }
                default -> r.skipValue();
            }
        }
        r.endObject();
        return new PromSeries(labels, ts, values);
    }

    private static SortedMap<String, String> labels(JsonReader r) throws IOException {
        SortedMap<String, String> labels = new TreeMap<>();
        r.beginObject();
        while (r.hasNext()) {
            labels.put(r.nextName(), r.nextString());
        }
        r.endObject();
        return labels;
    }

    /** Prometheus writes sample values as strings, with Go's spellings of the special values. */
    static double value(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
