package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryParserTest {

    private final EntryParser parser = new EntryParser();

    private static List<String> lines(String caseName) throws IOException {
        return Files.readAllLines(Fixtures.entryTable(caseName), StandardCharsets.ISO_8859_1);
    }

    private ConntrackEntry parsed(String line) {
        EntryParser.Result r = parser.parse(line);
        if (r instanceof EntryParser.Malformed m) {
            throw new AssertionError("rejected (" + m.reason() + "): " + line);
        }
        return ((EntryParser.Parsed) r).entry();
    }

    /** The line of a fixture whose text contains every given fragment. */
    private static String lineWith(String caseName, String... fragments) throws IOException {
        return lines(caseName).stream()
                .filter(l -> List.of(fragments).stream().allMatch(l::contains))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + List.of(fragments)));
    }

    @Test
    void parsesEveryLineOfARealKernelCapture() throws IOException {
        List<String> real = lines("linux-6.18-netns");
        assertEquals(25, real.size());
        for (String line : real) {
            ConntrackEntry e = parsed(line);
            assertTrue(e.use() > 0, line);
        }
    }

    @Test
    void readsEveryFieldOfAnAssuredTcpLine() throws IOException {
        ConntrackEntry e = parsed(lines("linux-6.18-netns").get(0));
        assertEquals("ipv4", e.family());
        assertEquals(2, e.l3num());
        assertEquals("tcp", e.protocol());
        assertEquals(6, e.protonum());
        assertEquals(119, e.timeout());
        assertEquals("TIME_WAIT", e.state());
        assertEquals(Tuple.ports("127.0.0.1", "127.0.0.1", 56934, 8080, 4, 216), e.original());
        assertEquals(Tuple.ports("127.0.0.1", "127.0.0.1", 8080, 56934, 2, 112), e.reply());
        assertTrue(e.assured());
        assertFalse(e.unreplied());
        assertFalse(e.offloaded());
        assertEquals(0, e.mark());
        assertEquals(0, e.zone());
        assertEquals(Tuple.ABSENT, e.zoneOrig());
        assertEquals(0, e.deltaTime());
        assertEquals(2, e.use());
        assertEquals(Optional.empty(), e.secctx());
    }

    @Test
    void unrepliedFlagBetweenTheTuplesIsRead() throws IOException {
        ConntrackEntry e = parsed(lineWith("linux-6.18-netns", "SYN_SENT"));
        assertTrue(e.unreplied());
        assertFalse(e.assured());
        assertEquals(0, e.reply().packets());
    }

    @Test
    void expandedIpv6AddressesBecomeCanonical() throws IOException {
        ConntrackEntry e = parsed(lineWith("linux-6.18-netns", "ipv6", "tcp"));
        assertEquals("ipv6", e.family());
        assertEquals(10, e.l3num());
        assertEquals("::1", e.original().src());
        assertEquals("::1", e.reply().dst());
        assertEquals(8443, e.original().dport());
    }

    @Test
    void statelessProtocolsHaveAnEmptyState() throws IOException {
        ConntrackEntry e = parsed(lineWith("linux-6.18-netns", " udp ", "zone=5"));
        assertEquals("", e.state());
        assertEquals(29, e.timeout());
        assertEquals(5, e.zone());
    }

    @Test
    void icmpTuplesCarryTypeCodeAndId() throws IOException {
        ConntrackEntry e = parsed(lineWith("linux-6.18-netns", "icmpv6"));
        assertEquals(58, e.protonum());
        assertEquals(128, e.original().icmpType());
        assertEquals(0, e.original().icmpCode());
        assertEquals(4175, e.original().icmpId());
        assertEquals(129, e.reply().icmpType());
        assertFalse(e.original().hasPorts());
    }

    @Test
    void greTimeoutsBeforeTheTupleAreNotTakenForAState() throws IOException {
        ConntrackEntry e = parsed(lineWith("linux-6.18-netns", "gre"));
        assertEquals("", e.state());
        assertEquals(29, e.timeout());
        assertEquals("127.0.0.2", e.original().dst());
        assertEquals(0, e.original().srcKey());
        assertTrue(e.original().hasGreKeys());
    }

    @Test
    void greKeysAreHex() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "gre"));
        assertEquals(0x1a2b, e.original().srcKey());
        assertEquals(0x3c4d, e.original().dstKey());
        assertFalse(e.original().hasAccounting());
    }

    @Test
    void unknownProtocolKeepsItsNumberAndHasNoPorts() throws IOException {
        ConntrackEntry e = parsed(lineWith("linux-6.18-netns", "unknown"));
        assertEquals("unknown", e.protocol());
        assertEquals(253, e.protonum());
        assertEquals(599, e.timeout());
        assertFalse(e.original().hasPorts());
        assertEquals("127.0.0.3", e.original().dst());
    }

    @Test
    void markIsRead() throws IOException {
        assertEquals(42, parsed(lineWith("linux-6.18-netns", "mark=42")).mark());
    }

    @Test
    void sctpAndDccpCarryTheirStates() throws IOException {
        assertEquals("ESTABLISHED", parsed(lineWith("handmade-formats", "sctp", "ESTABLISHED")).state());
        ConntrackEntry cookie = parsed(lineWith("handmade-formats", "COOKIE_WAIT"));
        assertEquals("sctp", cookie.protocol());
        assertEquals(3, cookie.timeout());
        assertTrue(cookie.unreplied());
        ConntrackEntry dccp = parsed(lineWith("handmade-formats", "dccp"));
        assertEquals("OPEN", dccp.state());
        assertEquals(5002, dccp.original().dport());
    }

    @Test
    void udpliteOverIpv6() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "udplite"));
        assertEquals(136, e.protonum());
        assertEquals("2001:db8::1", e.original().src());
        assertEquals("2001:db8::2", e.original().dst());
    }

    @Test
    void offloadedEntriesHaveNoTimeoutAndShowNoAssuredFlag() throws IOException {
        ConntrackEntry soft = parsed(lineWith("handmade-formats", "[OFFLOAD]"));
        assertEquals(Tuple.ABSENT, soft.timeout());
        assertEquals("ESTABLISHED", soft.state());
        assertTrue(soft.offload());
        assertFalse(soft.hwOffload());
        assertFalse(soft.assured());
        ConntrackEntry hw = parsed(lineWith("handmade-formats", "[HW_OFFLOAD]"));
        assertTrue(hw.hwOffload());
        assertTrue(hw.offloaded());
        assertEquals(Tuple.ABSENT, hw.timeout());
    }

    @Test
    void securityContextIsKeptAsText() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "secctx="));
        assertEquals(Optional.of("system_u:object_r:unlabeled_t:s0"), e.secctx());
        assertEquals(0, e.zone());
    }

    @Test
    void directionalZonesFollowTheirTuple() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "zone-orig="));
        assertEquals(7, e.zoneOrig());
        assertEquals(9, e.zoneReply());
        assertEquals(Tuple.ABSENT, e.zone());
        assertEquals(1, e.original().packets());
        assertEquals(120, e.reply().bytes());
    }

    @Test
    void linesWithoutAccountingHaveNoCounters() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "dport=80 src="));
        assertFalse(e.original().hasAccounting());
        assertFalse(e.reply().hasAccounting());
        assertEquals(7440, e.timeout());
        assertTrue(e.assured());
        assertTrue(parsed(lineWith("handmade-formats", "sport=33001")).unreplied());
    }

    @Test
    void ipv4MappedAndLinkLocalIpv6AreCompressed() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "icmpv6"));
        assertEquals("::ffff:10.0.0.1", e.original().src());
        assertEquals("fe80::202:b3ff:fe1e:8329", e.original().dst());
        assertEquals(Tuple.ABSENT, e.mark());
    }

    @Test
    void unknownFieldsAndFlagsFromNewerKernelsAreTolerated() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "[FUTURE_FLAG]"));
        assertEquals("SYN_RECV", e.state());
        assertEquals(12, e.deltaTime());
        assertEquals(2, e.use());
        assertFalse(e.assured());
    }

    @Test
    void oldKernelSecmarkAndUnloadedTrackerAreRead() throws IOException {
        ConntrackEntry e = parsed(lineWith("handmade-formats", "secmark="));
        assertEquals("unknown", e.protocol());
        assertEquals(132, e.protonum());
        assertEquals(5, e.secmark());
        assertEquals(1, e.use());
    }

    @Test
    void everyHandmadeFormatParses() throws IOException {
        for (String line : lines("handmade-formats")) {
            parsed(line);
        }
    }

    @Test
    void namesAndAddressesAreSharedBetweenLines() throws IOException {
        List<String> real = lines("linux-6.18-netns");
        ConntrackEntry a = parsed(real.get(0));
        ConntrackEntry b = parsed(real.get(1));
        assertSame(a.protocol(), b.protocol());
        assertSame(a.original().src(), b.original().src());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "this is not a conntrack line",
        "ipv4     2 tcp      6 119 TIME_WAIT",
        "ipv4     2 tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=1 dport=2 packets=4 bytes=216 src=127.0.0.1 dst=127.0.0.1 sport=2",
        "ipv4     2 tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=1 dport=2 src=127.0.0.1 dst=127.0.0.1 sport=2 dport=1 mark=0",
        "ipv4     2 tcp      6 119 TIME_WAIT src=999.0.0.1 dst=127.0.0.1 sport=1 dport=2 src=127.0.0.1 dst=1.1.1.1 sport=2 dport=1 use=2",
        "ipv6     10 tcp      6 119 TIME_WAIT src=0000:0000:0000:0000:0000:0000:0001 dst=::1 sport=1 dport=2 src=::1 dst=::1 sport=2 dport=1 use=2",
        "ipv4     2 tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=http dport=2 src=127.0.0.1 dst=127.0.0.1 sport=2 dport=1 use=2",
        "ipv4     2 tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 src=127.0.0.1 dst=127.0.0.1 use=2",
        "ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.1 type=8 code=0 src=127.0.0.1 dst=127.0.0.1 type=0 code=0 id=1 use=2",
        "ipv4     2 udp      17 29 src=1.1.1.1 dst=1.1.1.2 sport=1 dport=2 src=1.1.1.2 dst=1.1.1.1 sport=2 dport=1 src=1.1.1.1 dst=1.1.1.1 sport=2 dport=1 use=2",
        "ipv4     2 udp      17 29 src=1.1.1.1 sport=1 dport=2 src=1.1.1.2 dst=1.1.1.1 sport=2 dport=1 use=2",
        "ipv4     2 udp      17 29 sport=1 src=1.1.1.1 dst=1.1.1.2 dport=2 src=1.1.1.2 dst=1.1.1.1 sport=2 dport=1 use=2",
        "ipv4     2 udp      17 2x9 src=1.1.1.1 dst=1.1.1.2 sport=1 dport=2 src=1.1.1.2 dst=1.1.1.1 sport=2 dport=1 use=2",
        "ipv4     2 udp      999 29 src=1.1.1.1 dst=1.1.1.2 sport=1 dport=2 src=1.1.1.2 dst=1.1.1.1 sport=2 dport=1 use=2",
        "ipv4     2 udp      17 29 src=1.1.1.1 dst=1.1.1.2 sport=1 dport=2 src=1.1.1.2 dst=1.1.1.1 sport=2 dport=1 use=99999999999999999999",
        "ipv4\u0000\u0000 2 udp      17 29 src=1.1.1.1 dst=1.1.1.2 sport=1 dport=2 src=1.1.1.2 dst=1.1.1.1 sport=2 dport=1 use=2",
        "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
    })
    void rejectsLinesNoKernelPrints(String line) {
        EntryParser.Result r = parser.parse(line);
        EntryParser.Malformed m = assertInstanceOf(EntryParser.Malformed.class, r, line);
        assertFalse(m.reason().isBlank());
    }

    @Test
    void aStateOrProtocolWordLongerThanTheServerTakesIsMalformed() {
        // The server refuses a whole sample holding a word over 32 characters; one such line must cost only itself.
        String tail = " src=10.0.0.1 dst=10.0.0.2 sport=1 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1 [ASSURED] mark=0 use=2";
        String longState = "ipv4     2 tcp      6 100 " + "A".repeat(33) + tail;
        String longProtocol = "ipv4     2 " + "p".repeat(33) + " 6 100" + tail;
        assertTrue(assertInstanceOf(EntryParser.Malformed.class, parser.parse(longState)).reason().contains("state"));
        assertTrue(assertInstanceOf(EntryParser.Malformed.class, parser.parse(longProtocol)).reason().contains("protocol"));
        assertEquals("A".repeat(32), parsed("ipv4     2 tcp      6 100 " + "A".repeat(32) + tail).state());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ipv4     2 tcp      6 100 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=65536 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1 use=2",
        "ipv4     2 tcp      6 100 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=4294967297 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1 use=2",
        "ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=70000 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1 use=2",
        "ipv4     2 icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=256 code=0 id=1 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=1 use=2",
        "ipv4     2 icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=300 id=1 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=1 use=2",
        "ipv4     2 icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=65536 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=1 use=2",
        "ipv4     2 gre      47 179 timeout=180, stream_timeout=180 src=10.0.0.1 dst=10.0.0.2 srckey=0x10000 dstkey=0x1 src=10.0.0.2 dst=10.0.0.1 srckey=0x1 dstkey=0x0 use=2",
    })
    void identifiersBeyondWhatTheKernelPrintsAreMalformedNotWrapped(String line) {
        EntryParser.Malformed m = assertInstanceOf(EntryParser.Malformed.class, parser.parse(line), line);
        assertTrue(m.reason().contains("out of range"), m.reason());
    }

    @Test
    void identifiersAtTheirKernelMaximumParse() {
        Tuple t = parsed("ipv4     2 tcp      6 100 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=65535 dport=65535"
                + " src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1 use=2").original();
        assertEquals(65535, t.dport());
        Tuple icmp = parsed("ipv4     2 icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=255 code=255 id=65535"
                + " src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=65535 use=2").original();
        assertEquals(255, icmp.icmpType());
        assertEquals(65535, icmp.icmpId());
        Tuple gre = parsed("ipv4     2 gre      47 179 timeout=180, stream_timeout=180 src=10.0.0.1 dst=10.0.0.2"
                + " srckey=0xffff dstkey=0x1a2b src=10.0.0.2 dst=10.0.0.1 srckey=0x1a2b dstkey=0xffff use=2").original();
        assertEquals(0xffff, gre.srcKey());
    }

    @Test
    void accountingCountersTakeTheWholeUnsigned64BitRange() {
        // The kernel prints packets= and bytes= with %llu: up to 20 digits.
        String head = "ipv4     2 tcp      6 100 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=80 packets=";
        String rest = " src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1 packets=1 bytes=1 [ASSURED] mark=0 use=2";
        Tuple t = parsed(head + "5 bytes=1000000000000000000" + rest).original();
        assertEquals(1_000_000_000_000_000_000L, t.bytes(), "19 digits, exact");
        Tuple max = parsed(head + "18446744073709551615 bytes=18446744073709551615" + rest).original();
        assertEquals(Long.MAX_VALUE, max.packets(), "beyond a long: saturated, never negative or ABSENT");
        assertEquals(Long.MAX_VALUE, max.bytes());
        assertTrue(max.hasAccounting());
        assertInstanceOf(EntryParser.Malformed.class, parser.parse(head + "18446744073709551616 bytes=1" + rest),
                "above 2^64 - 1 is no kernel's number");
    }

    @Test
    void aTruncatedLineSaysSo() throws IOException {
        String whole = lines("linux-6.18-netns").get(0);
        EntryParser.Result r = parser.parse(whole.substring(0, whole.indexOf(" use=")));
        assertTrue(assertInstanceOf(EntryParser.Malformed.class, r).reason().contains("truncated"));
    }

    @Test
    void parsesALineInsideALargerBuffer() throws IOException {
        String line = lines("linux-6.18-netns").get(0);
        byte[] buf = ("garbage before\n" + line + "\ngarbage after").getBytes(StandardCharsets.ISO_8859_1);
        int off = buf.length - line.length() - "\ngarbage after".length();
        EntryParser.Result r = parser.parse(buf, off, line.length());
        assertEquals(56934, assertInstanceOf(EntryParser.Parsed.class, r).entry().original().sport());
    }
}
