package ctfleet.cli.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Sample;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeExporterMappingTest {
    @Test
    void instancePortIsStrippedToTheHostId() {
        assertEquals(Optional.of("gw-1.example.com"), NodeExporterMapping.hostId("gw-1.example.com:9100"));
        assertEquals(Optional.of("10.0.0.7"), NodeExporterMapping.hostId("10.0.0.7:9100"));
        assertEquals(Optional.of("gw-1"), NodeExporterMapping.hostId("gw-1"));
        assertEquals(Optional.empty(), NodeExporterMapping.hostId("[2001:db8::1]:9100"), "colons are not in host ids");
        assertEquals(Optional.empty(), NodeExporterMapping.hostId("gw 1:9100"));
        assertEquals(Optional.empty(), NodeExporterMapping.hostId(""));
    }

    @Test
    void seriesMapOntoCountMaxStatsAndBoot() throws Exception {
        var chunk = PromJson.matrix(PromJsonTest.fixture("query_range-two-hosts.json"), "t");
        var skipped = new NodeExporterMapping.Skipped();
        Map<String, List<Sample>> byHost = NodeExporterMapping.samples(chunk, "instance",
                Map.of("gw-a.example.com:9100", "gw-a.example.com", "gw-b:9100", "gw-b"), skipped);

        List<Sample> a = byHost.get("gw-a.example.com");
        assertEquals(2, a.size());
        Sample first = a.get(0);
        assertEquals(1_700_000_000_000L, first.getTsMillis());
        assertEquals(ConntrackStatus.CONNTRACK_STATUS_LOADED, first.getStatus());
        assertEquals(1200, first.getCount());
        assertEquals(262144, first.getMax());
        assertEquals(Map.of("drop", 7L, "insert_failed", 1L), first.getStatsMap());
        assertEquals("boot-1699990000", first.getBootId());
        assertEquals(Map.of("drop", 9L, "insert_failed", 2L), a.get(1).getStatsMap(), "+Inf early_drop left out");

        assertEquals(1, byHost.get("gw-b").size(), "the NaN entries step is skipped, not sent as 0");
        assertEquals(65536, byHost.get("gw-b").get(0).getMax());
        assertEquals(0, skipped.incomplete, "gw-b's NaN is a value Prometheus returned, not a missing one");
        assertEquals(2, skipped.notFinite, "gw-b's NaN entries and gw-a's +Inf early_drop");
    }

    @Test
    void hostsNotBeingImportedAreIgnored() throws Exception {
        var chunk = PromJson.matrix(PromJsonTest.fixture("query_range-two-hosts.json"), "t");
        var byHost = NodeExporterMapping.samples(chunk, "instance", Map.of("gw-b:9100", "gw-b"),
                new NodeExporterMapping.Skipped());
        assertEquals(List.of("gw-b"), List.copyOf(byHost.keySet()));
    }

    @Test
    void aHostWhoseSeriesComeFromTwoTargetsIsLeftOutNotCombined() {
        // --host-label job: count from one machine, max from the other would make a host that never was.
        var countA = PromSeries.of(Map.of("__name__", "node_nf_conntrack_entries", "job", "node", "instance", "a"),
                new long[] {1000}, new double[] {90_000});
        var maxB = PromSeries.of(Map.of("__name__", "node_nf_conntrack_entries_limit", "job", "node", "instance", "b"),
                new long[] {1000}, new double[] {100_000});
        var maxA = PromSeries.of(Map.of("__name__", "node_nf_conntrack_entries_limit", "job", "node", "instance", "a"),
                new long[] {1000}, new double[] {0});
        var out = NodeExporterMapping.samples(List.of(countA, maxB, maxA), "job", Map.of("node", "node"),
                new NodeExporterMapping.Skipped());
        assertFalse(out.containsKey("node"), out.toString());
    }

    @Test
    void aStepWithoutALimitIsSkippedBecauseZeroWouldMeanUnlimited() {
        var entries = PromSeries.of(Map.of("__name__", "node_nf_conntrack_entries", "instance", "h"),
                new long[] {1000, 2000}, new double[] {5, 6});
        var limit = PromSeries.of(Map.of("__name__", "node_nf_conntrack_entries_limit", "instance", "h"),
                new long[] {2000}, new double[] {100});
        var skipped = new NodeExporterMapping.Skipped();
        var out = NodeExporterMapping.samples(List.of(entries, limit), "instance", Map.of("h", "h"), skipped);
        assertEquals(1, out.get("h").size());
        assertEquals(2000, out.get("h").get(0).getTsMillis());
        assertEquals(1, skipped.incomplete);
    }

    @Test
    void selectorCombinesMatchNamesAndQuotedHostValues() {
        assertEquals("{__name__=~\"" + NodeExporterMapping.NAMES + "\", job=\"node\", instance=~\"gw-a\\\\.x:9100|b\"}",
                NodeExporterMapping.selector("{job=\"node\"}", "instance", List.of("gw-a.x:9100", "b")));
        assertEquals("{__name__=~\"" + NodeExporterMapping.NAMES + "\"}",
                NodeExporterMapping.selector("", "instance", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> NodeExporterMapping.selector("job=\"node\"", "instance", List.of()));
    }

    @Test
    void labelsKeepTargetLabelsButNotTheNameOrTheHostLabel() {
        var labels = NodeExporterMapping.labels(Map.of("__name__", "x", "instance", "gw:9100", "job", "node",
                "dc", "fra1", "long", "v".repeat(300)), "instance");
        assertEquals(Map.of("job", "node", "dc", "fra1"), labels);
        assertFalse(labels.containsKey("instance"));
    }
}
