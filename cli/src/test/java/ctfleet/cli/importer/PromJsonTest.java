package ctfleet.cli.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromJsonTest {
    static Reader fixture(String name) throws Exception {
        return Files.newBufferedReader(Path.of("src/test/resources/prometheus", name));
    }

    @Test
    void readsEverySeriesOfAMatrixWithLabelsAndMillisecondTimes() throws Exception {
        List<PromSeries> series = PromJson.matrix(fixture("query_range-two-hosts.json"), "test");
        assertEquals(8, series.size());
        PromSeries entries = series.get(1);
        assertEquals("node_nf_conntrack_entries", entries.name());
        assertEquals("fra1", entries.labels().get("dc"));
        assertArrayEquals(new long[] {1_700_000_000_000L, 1_700_000_060_000L}, entries.tsMillis());
        assertArrayEquals(new double[] {1200, 1260}, entries.values());
        assertTrue(Double.isNaN(series.get(2).values()[1]), "Go's NaN spelling");
        assertEquals(Double.POSITIVE_INFINITY, series.get(6).values()[0], "Go's +Inf spelling");
    }

    @Test
    void fractionalSecondsBecomeExactMilliseconds() throws Exception {
        String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
                + "\"values\":[[1435781430.781,\"1\"]]}]}}";
        assertEquals(1_435_781_430_781L, PromJson.matrix(new StringReader(body), "t").get(0).tsMillis()[0]);
    }

    @Test
    void tooManySamplesIsALimitErrorWithPrometheusOwnWords() {
        String body = "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query processing would load too "
                + "many samples into memory in query execution\"}";
        PromError e = assertThrows(PromError.class, () -> PromJson.matrix(new StringReader(body), "t"));
        assertEquals(PromError.Kind.LIMIT, e.kind());
        assertTrue(e.getMessage().contains("too many samples"), e.getMessage());
    }

    @Test
    void elevenThousandPointsIsALimitErrorToo() {
        String body = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"exceeded maximum resolution of "
                + "11,000 points per timeseries. Try decreasing the query resolution (?step=XX)\"}";
        assertEquals(PromError.Kind.LIMIT,
                assertThrows(PromError.class, () -> PromJson.matrix(new StringReader(body), "t")).kind());
    }

    @Test
    void aParseErrorIsAQueryErrorNotALimit() {
        String body = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:4: parse error\"}";
        PromError e = assertThrows(PromError.class, () -> PromJson.matrix(new StringReader(body), "t"));
        assertEquals(PromError.Kind.QUERY, e.kind());
        assertTrue(e.getMessage().startsWith("Prometheus: bad_data: 1:4"), e.getMessage());
    }

    @Test
    void htmlOrForeignJsonIsNotAPrometheus() {
        for (String body : List.of("<html><body>Grafana</body></html>", "{\"hello\":\"world\"}", "[1,2]", "",
                "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":\"x\"}}", "{\"status\":")) {
            PromError e = assertThrows(PromError.class, () -> PromJson.matrix(new StringReader(body), "http://x"),
                    body);
            assertEquals(PromError.Kind.NOT_PROMETHEUS, e.kind(), body);
            assertTrue(e.getMessage().startsWith("http://x did not answer like Prometheus' HTTP API"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), "one line, no parser hints: " + e.getMessage());
            assertFalse(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("gson"), e.getMessage());
            assertFalse(e.getMessage().contains("setStrictness"), e.getMessage());
        }
    }

    @Test
    void readsTheLabelSetsOfTheSeriesEndpoint() throws Exception {
        String body = "{\"status\":\"success\",\"data\":[{\"__name__\":\"node_nf_conntrack_entries\","
                + "\"instance\":\"gw-a:9100\"},{\"__name__\":\"node_nf_conntrack_entries\",\"instance\":\"gw-b:9100\"}]}";
        var sets = PromJson.labelSets(new StringReader(body), "t");
        assertEquals(2, sets.size());
        assertEquals("gw-b:9100", sets.get(1).get("instance"));
    }
}
