package ctfleet.agent.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.procfs.EntryTableReader;
import ctfleet.agent.procfs.Fixtures;
import ctfleet.agent.procfs.ReadSummary;
import ctfleet.agent.sample.EntrySample.Endpoint;
import ctfleet.agent.sample.EntrySample.StateCount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntryAggregatorTest {

    private final EntryTableReader reader = new EntryTableReader();

    private EntrySample fullScan(Path table) throws IOException {
        EntryAggregator agg = new EntryAggregator();
        ReadSummary read = reader.fullScan(table, agg);
        return agg.result(read);
    }

    @Test
    void countsEntriesByFamilyProtocolAndState() throws IOException {
        EntrySample s = fullScan(Fixtures.entryTable("linux-6.18-netns"));
        // Counted by hand from the capture.
        assertEquals(List.of(
                new StateCount("ipv4", "tcp", "ESTABLISHED", 6),
                new StateCount("ipv4", "udp", "", 5),
                new StateCount("ipv4", "tcp", "TIME_WAIT", 3),
                new StateCount("ipv6", "tcp", "ESTABLISHED", 3),
                new StateCount("ipv4", "tcp", "SYN_SENT", 2),
                new StateCount("ipv4", "gre", "", 1),
                new StateCount("ipv4", "icmp", "", 1),
                new StateCount("ipv4", "tcp", "CLOSE_WAIT", 1),
                new StateCount("ipv4", "unknown", "", 1),
                new StateCount("ipv6", "icmpv6", "", 1),
                new StateCount("ipv6", "udp", "", 1)), s.states());
        assertEquals(25, s.sampleSize());
        assertEquals(s.sampleSize(), s.states().stream().mapToLong(StateCount::sampled).sum());
        assertEquals(13, s.assured());
        assertEquals(9, s.unreplied());
        assertEquals(0, s.parseErrors());
        assertTrue(s.fullScan());
        assertFalse(s.topApproximate());
    }

    @Test
    void ranksDestinationsByAddressPortAndProtocolAndSourcesByAddress() throws IOException {
        EntrySample s = fullScan(Fixtures.entryTable("linux-6.18-netns"));
        assertEquals(new Endpoint("127.0.0.1", 8080, "tcp", 9), s.topDestinations().get(0));
        assertEquals(new Endpoint("::1", 8443, "tcp", 3), s.topDestinations().get(1));
        assertEquals(new Endpoint("127.0.0.1", 9999, "tcp", 2), s.topDestinations().get(2));
        assertEquals(List.of(new Endpoint("127.0.0.1", 0, "", 20), new Endpoint("::1", 0, "", 5)), s.topSources());
    }

    @Test
    void protocolsWithoutPortsRankUnderPortZero() throws IOException {
        EntrySample s = fullScan(Fixtures.entryTable("linux-6.18-netns"));
        assertTrue(s.topDestinations().size() <= EntryAggregator.DEFAULT_TOP_K);
        EntryAggregator agg = new EntryAggregator(50, EntryPrivacy.DEFAULT);
        EntrySample all = agg.result(reader.fullScan(Fixtures.entryTable("linux-6.18-netns"), agg));
        assertTrue(all.topDestinations().contains(new Endpoint("127.0.0.3", 0, "unknown", 1)), all.topDestinations().toString());
        assertTrue(all.topDestinations().contains(new Endpoint("127.0.0.2", 0, "gre", 1)));
        assertTrue(all.rawEntries().isEmpty());
    }

    @Test
    void sendsNoRawLinesUnlessTold() throws IOException {
        Path table = Fixtures.entryTable("linux-6.18-netns");
        assertEquals(List.of(), fullScan(table).rawEntries());
        EntryAggregator agg = new EntryAggregator(EntryAggregator.DEFAULT_TOP_K, new EntryPrivacy(3, false));
        EntrySample s = agg.result(reader.fullScan(table, agg));
        assertEquals(Files.readAllLines(table).subList(0, 3), s.rawEntries());
    }

    @Test
    void maskedAddressesAreCountedByNetwork(@TempDir Path dir) throws IOException {
        Path table = dir.resolve("nf_conntrack");
        Files.write(table, List.of(
                udpLine("192.0.2.10", "198.51.100.7", 40000, 53),
                udpLine("192.0.2.11", "198.51.100.9", 40001, 53),
                udpLine("192.0.3.12", "198.51.100.200", 40002, 53),
                udpLine("192.0.2.13", "203.0.113.1", 40003, 123),
                "ipv6     10 tcp      6 300 ESTABLISHED src=2001:0db8:0001:0002:0000:0000:0000:0001"
                        + " dst=2001:0db8:00aa:00bb:0000:0000:0000:0050 sport=50000 dport=443 packets=3 bytes=200"
                        + " src=2001:0db8:00aa:00bb:0000:0000:0000:0050 dst=2001:0db8:0001:0002:0000:0000:0000:0001"
                        + " sport=443 dport=50000 packets=2 bytes=100 [ASSURED] mark=0 zone=0 use=2"),
                StandardCharsets.ISO_8859_1);
        EntryAggregator agg = new EntryAggregator(EntryAggregator.DEFAULT_TOP_K, new EntryPrivacy(5, true));
        EntrySample s = agg.result(reader.fullScan(table, agg));
        assertEquals(List.of(new Endpoint("198.51.100.0/24", 53, "udp", 3),
                new Endpoint("2001:db8:aa::/48", 443, "tcp", 1),
                new Endpoint("203.0.113.0/24", 123, "udp", 1)), s.topDestinations());
        assertEquals(List.of(new Endpoint("192.0.2.0/24", 0, "", 3), new Endpoint("192.0.3.0/24", 0, "", 1),
                new Endpoint("2001:db8:1::/48", 0, "", 1)), s.topSources());
        assertEquals(5, s.rawEntries().size());
        String all = String.join("\n", s.rawEntries());
        assertTrue(s.rawEntries().get(0).startsWith("ipv4     2 udp      17 29 src=192.0.2.0/24 dst=198.51.100.0/24"
                + " sport=40000 dport=53"), s.rawEntries().get(0));
        assertTrue(s.rawEntries().get(4).contains("src=2001:db8:1::/48 dst=2001:db8:aa::/48"), s.rawEntries().get(4));
        for (String full : List.of("192.0.2.10", "198.51.100.7", ".200", "0001:0002", "::1 ", ":50")) {
            assertFalse(all.contains(full), full + " left the host: " + all);
        }
    }

    @Test
    void aSampleOfTheHeadIsNotAFullScan() throws IOException {
        EntryAggregator agg = new EntryAggregator();
        EntrySample s = agg.result(reader.sample(Fixtures.entryTable("linux-6.18-netns"), 4, agg));
        assertEquals(4, s.sampleSize());
        assertFalse(s.fullScan());
        assertEquals(4, s.states().stream().mapToLong(StateCount::sampled).sum());
    }

    @Test
    void offloadedEntriesAreCountedApartFromAssured() throws IOException {
        EntrySample s = fullScan(Fixtures.entryTable("handmade-formats"));
        assertEquals(2, s.offloaded());
        assertTrue(s.states().contains(new StateCount("ipv4", "sctp", "COOKIE_WAIT", 1)));
        assertTrue(s.states().contains(new StateCount("ipv6", "udplite", "", 1)));
        assertTrue(s.topSources().contains(new Endpoint("2001:db8::1", 0, "", 1)));
    }

    @Test
    void parseErrorsAreReported() throws IOException {
        EntrySample s = fullScan(Fixtures.entryTable("malformed-lines"));
        assertEquals(4, s.sampleSize());
        assertEquals(11, s.parseErrors());
    }

    @Test
    void topListsOfASampleAreExact(@TempDir Path dir) throws IOException {
        // 2000 entries, 600 distinct destinations with skewed counts: exact ranking expected.
        Random random = new Random(7);
        List<String> lines = new ArrayList<>();
        int[] expected = new int[600];
        for (int i = 0; i < 2000; i++) {
            int d = (int) Math.min(599, Math.abs(random.nextGaussian()) * 120);
            expected[d]++;
            lines.add(udpLine("10.0." + (i % 250) + ".1", "10.9." + (d / 200) + "." + (d % 200), 1000 + i, 53));
        }
        Path table = dir.resolve("nf_conntrack");
        Files.write(table, lines, StandardCharsets.ISO_8859_1);
        EntryAggregator agg = new EntryAggregator();
        EntrySample s = agg.result(reader.sample(table, 2000, agg));
        assertFalse(s.topApproximate());
        for (Endpoint e : s.topDestinations()) {
            String[] q = e.address().split("\\.");
            int d = Integer.parseInt(q[2]) * 200 + Integer.parseInt(q[3]);
            assertEquals(expected[d], e.sampled(), e.toString());
        }
        long best = java.util.Arrays.stream(expected).max().orElseThrow();
        assertEquals(best, s.topDestinations().get(0).sampled());
    }

    @Test
    void aHugeFullScanStaysBoundedAndStillFindsTheHeavyHitters(@TempDir Path dir) throws IOException {
        // 60k entries from 50k distinct sources, plus three sources opening many connections each.
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            lines.add(udpLine("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), "192.0.2.1", 1024 + (i % 60000), 53));
            if (i % 5 == 0) {
                lines.add(udpLine("198.51.100." + (1 + i % 3), "192.0.2.1", 2000, 53));
            }
        }
        Path table = dir.resolve("nf_conntrack");
        Files.write(table, lines, StandardCharsets.ISO_8859_1);
        EntrySample s = fullScan(table);
        assertTrue(s.topApproximate());
        assertEquals(60_000, s.sampleSize());
        // Each heavy source opened 3334 or 3333 connections; Space-Saving overestimates by at most n/capacity.
        long bound = s.sampleSize() / (EntryAggregator.DEFAULT_TOP_K * EntryAggregator.SKETCH_FACTOR);
        for (int i = 0; i < 3; i++) {
            Endpoint e = s.topSources().get(i);
            assertTrue(e.address().startsWith("198.51.100."), s.topSources().toString());
            assertTrue(e.sampled() >= 3333 && e.sampled() <= 3334 + bound, e.toString());
        }
        assertEquals(new Endpoint("192.0.2.1", 53, "udp", 60_000), s.topDestinations().get(0));
    }

    @Test
    void statesPastTheServersLimitAreCountedAsErrorsAndTheRestStillAddsUp(@TempDir Path dir) throws IOException {
        // 200 distinct tcp states: the server refuses a sample with more than 128 (EntrySummaryCheck.MAX_STATES).
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            lines.add("ipv4     2 tcp      6 100 S" + i + " src=10.0.0.1 dst=10.0.0.2 sport=1 dport=80"
                    + " src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1 [ASSURED] mark=0 use=2");
        }
        lines.add(udpLine("10.0.0.1", "10.0.0.2", 1, 53)); // a combination after the limit, on a new protocol
        Path table = dir.resolve("nf_conntrack");
        Files.write(table, lines, StandardCharsets.ISO_8859_1);
        EntrySample s = fullScan(table);
        assertEquals(128, s.states().size());
        assertEquals(73, s.parseErrors());
        assertEquals(128, s.sampleSize());
        assertEquals(s.sampleSize(), s.states().stream().mapToLong(StateCount::sampled).sum(),
                "states add up to the sample size the server scales by");
        assertEquals(128, s.assured());
    }

    @Test
    void rawLinesLongerThanTheServerTakesAreSkippedNotCutAndCarriageReturnsDropped() throws IOException {
        // The fixture's first line is a real-format IPv6 line of 521 characters (zones, 12-digit
        // counters, a long secctx); the second ends in CRLF.
        EntryAggregator agg = new EntryAggregator(EntryAggregator.DEFAULT_TOP_K, new EntryPrivacy(2, false));
        EntrySample s = agg.result(reader.sample(Fixtures.entryTable("raw-lines-long-and-crlf"), 2000, agg));
        assertEquals(3, s.sampleSize(), "the long line is still counted");
        assertEquals(2, s.rawEntries().size());
        assertTrue(s.rawEntries().get(0).startsWith("ipv4     2 tcp") && s.rawEntries().get(0).endsWith("use=2"),
                s.rawEntries().get(0));
        assertTrue(s.rawEntries().get(1).startsWith("ipv4     2 udp"), s.rawEntries().get(1));
        assertTrue(s.rawEntries().stream().allMatch(l -> l.length() <= 512), "the server refuses longer ones");
    }

    private static String udpLine(String src, String dst, int sport, int dport) {
        return "ipv4     2 udp      17 29 src=" + src + " dst=" + dst + " sport=" + sport + " dport=" + dport
                + " packets=1 bytes=60 src=" + dst + " dst=" + src + " sport=" + dport + " dport=" + sport
                + " packets=1 bytes=90 mark=0 zone=0 use=2";
    }
}
