package ctfleet.agent.procfs;

import static ctfleet.agent.procfs.ParsedEntry.CODE;
import static ctfleet.agent.procfs.ParsedEntry.DPORT;
import static ctfleet.agent.procfs.ParsedEntry.DSTKEY;
import static ctfleet.agent.procfs.ParsedEntry.ID;
import static ctfleet.agent.procfs.ParsedEntry.SPORT;
import static ctfleet.agent.procfs.ParsedEntry.SRCKEY;
import static ctfleet.agent.procfs.ParsedEntry.TYPE;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses one line of {@code /proc/net/nf_conntrack} into a {@link ConntrackEntry}, or says why it
 * could not. No I/O: {@link EntryTableReader} feeds it lines straight from its read buffer.
 *
 * <p>The layout follows {@code ct_seq_show} (nf_conntrack_standalone.c) and each protocol's
 * {@code print_tuple}/{@code print_conntrack}:
 * <pre>
 * FAMILY L3NUM PROTO PROTONUM [TIMEOUT] [STATE | gre's "timeout=N, stream_timeout=N"]
 *   src= dst= L4-IDS [zone-orig=] [packets= bytes=] [[UNREPLIED]]
 *   src= dst= L4-IDS [zone-reply=] [packets= bytes=] [[HW_OFFLOAD]|[OFFLOAD]|[ASSURED]]
 *   [mark=] [secctx=] [zone=] [delta-time=] use=
 * </pre>
 * Unknown {@code key=value} fields and unknown {@code [FLAGS]} are skipped, so a kernel that adds a
 * field does not lose every line. A line is rejected when it lacks a part every kernel prints: the
 * header, two tuples with addresses and the protocol's identifiers, and {@code use=} (always last;
 * its absence is how a truncated line shows).
 *
 * <p>Speed matters because a full scan of a 262k-entry table must cost little more than the
 * kernel's own 0.44 s to print it. {@link #scan} fills a reused {@link ParsedEntry} and allocates
 * nothing for a well-formed line: keys are recognised from one word ({@link Keys}), numbers are
 * validated and converted in the same pass that finds their end, addresses stay numbers, and names
 * are cached Strings. {@link #parse} builds the record from that view. Not thread-safe: one parser
 * per reading thread.
 */
public final class EntryParser {

    /** What became of one line. */
    public sealed interface Result permits Parsed, Malformed {
    }

    public record Parsed(ConntrackEntry entry) implements Result {
    }

    /** @param reason a short human-readable cause, e.g. {@code "no use= field (truncated line?)"} */
    public record Malformed(String reason) implements Result {
    }

    /**
     * The longest family, protocol or state word: the server refuses a whole sample with a longer
     * one (EntrySummaryCheck.MAX_WORD), and the kernel's longest is SHUTDOWN_ACK_SENT (17).
     */
    public static final int MAX_NAME = 32;

    private static final int ABSENT = Tuple.ABSENT;
    private static final int FIELDS = ParsedEntry.FIELDS;

    /**
     * The largest value each tuple slot can hold, by the kernel's print_tuple: ports are ntohs of a
     * __be16 ("sport=%hu"), icmp type and code are u8 and its id a __be16, gre keys are ntohs of a
     * __be16 ("srckey=0x%x"). A larger number is no kernel's line; taken as it is it wrapped when
     * stored as an int (dport=4294967297 became 1) or made the server refuse the sample (port > 65535).
     */
    private static final long[] MAX_ID = new long[FIELDS];

    static {
        MAX_ID[ParsedEntry.SPORT] = 0xffff;
        MAX_ID[ParsedEntry.DPORT] = 0xffff;
        MAX_ID[ParsedEntry.TYPE] = 0xff;
        MAX_ID[ParsedEntry.CODE] = 0xff;
        MAX_ID[ParsedEntry.ID] = 0xffff;
        MAX_ID[ParsedEntry.SRCKEY] = 0xffff;
        MAX_ID[ParsedEntry.DSTKEY] = 0xffff;
        MAX_ID[ParsedEntry.PACKETS] = Long.MAX_VALUE;
        MAX_ID[ParsedEntry.BYTES] = Long.MAX_VALUE;
    }

    private static final String[] KNOWN_NAMES = {
        "ipv4", "ipv6", "unknown",
        "tcp", "udp", "udplite", "icmp", "icmpv6", "gre", "sctp", "dccp",
        // tcp_conntrack_names
        "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK",
        "TIME_WAIT", "CLOSE", "SYN_SENT2",
        // sctp_conntrack_names
        "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "SHUTDOWN_SENT", "SHUTDOWN_RECD",
        "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED",
        // dccp_state_names
        "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING", "TIMEWAIT", "IGNORE", "INVALID",
    };

    private static final byte[] UNREPLIED = ascii("[UNREPLIED]");
    private static final byte[] ASSURED = ascii("[ASSURED]");
    private static final byte[] OFFLOAD = ascii("[OFFLOAD]");
    private static final byte[] HW_OFFLOAD = ascii("[HW_OFFLOAD]");

    private final TokenCache names = new TokenCache(256);
    private final HeaderCache headers = new HeaderCache();
    // ~250 kB: a gateway's table has tens of thousands of distinct client addresses, and a miss
    // costs a String (for IPv6 an RFC 5952 formatting) when a listener asks for the record.
    private final AddressCache addresses = new AddressCache(16_384, 4096);
    private final ParsedEntry entry = new ParsedEntry(addresses);
    private final int[] groups = new int[8];

    // Per-line state, reset by scan(); fields rather than locals so helpers can share them.
    private byte[] b;
    private int pos;
    private int end;
    private String reason;

    public EntryParser() {
        for (String name : KNOWN_NAMES) {
            names.put(name, name.intern());
        }
    }

    public Result parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        return parse(bytes, 0, bytes.length);
    }

    /** Parses buf[off, off + len), one line without its newline. The bytes are not retained. */
    public Result parse(byte[] buf, int off, int len) {
        return scan(buf, off, len) ? new Parsed(entry.toEntry()) : new Malformed(reason);
    }

    /**
     * Parses buf[off, off + len) into {@link #entry()}, allocating nothing for a well-formed line;
     * false when the line is malformed, {@link #reason()} says why. The bytes are not retained.
     */
    boolean scan(byte[] buf, int off, int len) {
        boolean ok = parseLine(buf, off, len);
        b = null; // do not pin the caller's buffer
        return ok;
    }

    /** The line {@link #scan} accepted last; overwritten by the next scan. */
    ParsedEntry entry() {
        return entry;
    }

    /** Why the line {@link #scan} rejected last did not parse. */
    String reason() {
        return reason;
    }

    private boolean parseLine(byte[] buf, int off, int len) {
        b = buf;
        pos = off;
        end = off + len;
        while (end > pos && b[end - 1] == '\r') {
            end--;
        }
        ParsedEntry en = entry;
        if (!header(off)) {
            return false;
        }
        String protocol = en.protocol;
        skipSpaces();
        long timeout = ABSENT;
        // The kernel omits the timeout of offloaded entries: a state or "src=" follows directly.
        if (pos < end && (isDigit(b[pos]) || b[pos] == '-')) {
            timeout = nextSigned();
            if (timeout == Long.MIN_VALUE) {
                return fail("bad timeout");
            }
        }

        // Between the header and the first tuple: tcp/sctp/dccp print a state word; gre prints
        // "timeout=30, stream_timeout=180". Anything else there is tolerated.
        String state = "";
        while (true) {
            skipSpaces();
            if (pos >= end) {
                return fail("no tuple");
            }
            if (startsWithSrc()) {
                break;
            }
            int s = pos;
            int e = blankFrom(s);
            if (state.isEmpty() && b[s] != '[' && !hasEquals(s, e)) {
                state = name(s, e);
                if (state == null) {
                    return fail("bad state");
                }
            }
            pos = e;
        }

        en.timeout = timeout;
        en.state = state;
        en.unreplied = false;
        en.assured = false;
        en.offload = false;
        en.hwOffload = false;
        en.mark = ABSENT;
        en.secmark = ABSENT;
        en.secctx = null;
        en.zone = ABSENT;
        en.zoneOrig = ABSENT;
        en.zoneReply = ABSENT;
        en.deltaTime = ABSENT;
        en.use = ABSENT;
        int t = -1; // index of the tuple being read: 0 original, 1 reply
        int dstSeen = 0; // bit per tuple

        while (true) {
            skipSpaces();
            if (pos >= end) {
                break;
            }
            int s = pos;
            int key = Keys.of(b, s, end);
            switch (key) {
                case Keys.SRC -> {
                    if (++t > 1) {
                        return fail("more than two tuples");
                    }
                    en.present[t] = 0;
                    if (!address(s + Keys.length(key), 2 * t)) {
                        return fail("bad src address");
                    }
                }
                case Keys.DST -> {
                    if (t < 0) {
                        return fail("dst= before src=");
                    }
                    if (!address(s + Keys.length(key), 2 * t + 1)) {
                        return fail("bad dst address");
                    }
                    dstSeen |= 1 << t;
                }
                case Keys.FLAG -> flag(s);
                case Keys.OTHER -> pos = blankFrom(s); // unknown key=value or bare word: tolerated
                case Keys.SECCTX -> {
                    int vs = s + Keys.length(key);
                    pos = blankFrom(vs);
                    en.secctx = new String(b, vs, pos - vs, StandardCharsets.ISO_8859_1);
                }
                default -> {
                    int vs = s + Keys.length(key);
                    long v;
                    if (key < FIELDS) {
                        if (t < 0) {
                            return fail("tuple field before src=");
                        }
                        v = (key == ParsedEntry.SRCKEY || key == ParsedEntry.DSTKEY) ? hexToken(vs)
                                : (key == ParsedEntry.PACKETS || key == ParsedEntry.BYTES) ? counterToken(vs)
                                : decimalToken(vs);
                        if (v > MAX_ID[key]) {
                            return fail(Keys.name(key) + "= out of range");
                        }
                        en.ids[t * FIELDS + key] = v;
                        en.present[t] |= 1 << key;
                    } else {
                        v = decimalToken(vs);
                        switch (key) {
                            case Keys.USE -> en.use = v;
                            case Keys.MARK -> en.mark = v;
                            case Keys.ZONE -> en.zone = v;
                            case Keys.DELTA_TIME -> en.deltaTime = v;
                            case Keys.ZONE_ORIG -> en.zoneOrig = v;
                            case Keys.ZONE_REPLY -> en.zoneReply = v;
                            case Keys.SECMARK -> en.secmark = v;
                            default -> throw new AssertionError(key);
                        }
                    }
                    if (v < 0) {
                        return fail("bad number in " + Keys.name(key) + "=");
                    }
                }
            }
        }

        if (t != 1) {
            return fail(t < 0 ? "no tuple" : "no reply tuple (truncated line?)");
        }
        if (en.use == ABSENT) {
            return fail("no use= field (truncated line?)");
        }
        for (int i = 0; i < 2; i++) {
            if ((dstSeen & (1 << i)) == 0) {
                return fail("tuple without dst=");
            }
            String missing = missingIds(protocol, en.present[i]);
            if (missing != null) {
                return fail(protocol + " tuple without " + missing);
            }
        }
        return true;
    }

    /**
     * FAMILY L3NUM PROTO PROTONUM into the entry, leaving pos after them; from {@link #headers}
     * when the line starts with a header seen before.
     */
    private boolean header(int off) {
        ParsedEntry en = entry;
        int slot = headers.find(b, off, end);
        if (slot >= 0) {
            en.family = headers.family(slot);
            en.l3num = headers.l3num(slot);
            en.protocol = headers.protocol(slot);
            en.protonum = headers.protonum(slot);
            pos = off + headers.length(slot);
            return true;
        }
        String family = nextName("family");
        if (family == null) {
            return false;
        }
        long l3num = nextNumber("l3 number");
        if (l3num < 0) {
            return false;
        }
        String protocol = nextName("protocol");
        if (protocol == null) {
            return false;
        }
        long protonum = nextNumber("protocol number");
        if (protonum < 0 || protonum > 255) {
            return fail(protonum < 0 ? reason : "protocol number out of range");
        }
        en.family = family;
        en.l3num = (int) l3num;
        en.protocol = protocol;
        en.protonum = (int) protonum;
        if (pos < end && (b[pos] == ' ' || b[pos] == '\t')) { // the blank keeps "17" from matching "170"
            headers.put(b, off, pos + 1 - off, family, (int) l3num, protocol, (int) protonum);
        }
        return true;
    }

    /** The address from s to the end of its token into address slot a; false when it is none. */
    private boolean address(int s, int a) {
        ParsedEntry en = entry;
        long v4 = ipv4Token(s);
        if (v4 >= 0) {
            en.v4[a] = true;
            en.high[a] = 0;
            en.low[a] = v4;
            return true;
        }
        int e = blankFrom(s);
        pos = e;
        if (s >= e) {
            return false;
        }
        v4 = AddressText.parseIpv4(b, s, e);
        if (v4 >= 0) {
            en.v4[a] = true;
            en.high[a] = 0;
            en.low[a] = v4;
            return true;
        }
        boolean full = e - s == AddressText.IPV6_FULL_LENGTH && AddressText.parseIpv6Full(b, s, groups);
        if (!full && !AddressText.parseIpv6(b, s, e, groups)) {
            return false;
        }
        int[] g = groups;
        en.v4[a] = false;
        en.high[a] = ((long) g[0] << 48) | ((long) g[1] << 32) | ((long) g[2] << 16) | g[3];
        en.low[a] = ((long) g[4] << 48) | ((long) g[5] << 32) | ((long) g[6] << 16) | g[7];
        return true;
    }

    /**
     * The dotted quad from s to the end of its token, leaving pos there; -1 when the token is not
     * one (the caller then tries IPv6). One pass: finding the token's end is part of the parse.
     */
    private long ipv4Token(int s) {
        long address = 0;
        int parts = 0;
        int digits = 0;
        int value = 0;
        int i = s;
        for (; i < end; i++) {
            byte c = b[i];
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return -1;
                }
            } else if (c == '.' && digits > 0 && parts < 3) {
                address = (address << 8) | value;
                parts++;
                digits = 0;
                value = 0;
            } else {
                break;
            }
        }
        if (parts != 3 || digits == 0 || (i < end && b[i] != ' ' && b[i] != '\t')) {
            return -1;
        }
        pos = i;
        return (address << 8) | value;
    }

    /** A [FLAG] token at s; unknown flags are skipped. */
    private void flag(int s) {
        int e = blankFrom(s);
        pos = e;
        ParsedEntry en = entry;
        if (equalsAscii(s, e, ASSURED)) {
            en.assured = true;
        } else if (equalsAscii(s, e, UNREPLIED)) {
            en.unreplied = true;
        } else if (equalsAscii(s, e, OFFLOAD)) {
            en.offload = true;
        } else if (equalsAscii(s, e, HW_OFFLOAD)) {
            en.hwOffload = true;
        }
    }

    /**
     * The identifiers the protocol's print_tuple always prints, by the printed name: an sctp entry
     * on an old kernel without the sctp tracker loaded is printed as "unknown" with no ports.
     */
    private static String missingIds(String protocol, int present) {
        switch (protocol) {
            case "tcp", "udp", "udplite", "sctp", "dccp" -> {
                return has(present, SPORT, DPORT) ? null : "sport/dport";
            }
            case "icmp", "icmpv6" -> {
                return has(present, TYPE, CODE) && has(present, ID, ID) ? null : "type/code/id";
            }
            case "gre" -> {
                return has(present, SRCKEY, DSTKEY) ? null : "srckey/dstkey";
            }
            default -> {
                return null;
            }
        }
    }

    private static boolean has(int present, int slotA, int slotB) {
        int both = (1 << slotA) | (1 << slotB);
        return (present & both) == both;
    }

    /**
     * A cached name token: letters, digits, '_' and '-' only, so NUL bytes and binary junk fail;
     * at most {@link #MAX_NAME} of them.
     */
    private String name(int s, int e) {
        if (e - s > MAX_NAME) {
            return null;
        }
        int h = TokenCache.hash(b, s, e);
        String cached = names.get(b, s, e, h);
        if (cached != null) {
            return cached;
        }
        for (int i = s; i < e; i++) {
            byte c = b[i];
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '-';
            if (!ok) {
                return null;
            }
        }
        String text = new String(b, s, e - s, StandardCharsets.ISO_8859_1);
        names.put(b, s, e, h, text);
        return text;
    }

    private String nextName(String what) {
        skipSpaces();
        if (pos >= end) {
            reason = "no " + what;
            return null;
        }
        int s = pos;
        int e = blankFrom(s);
        pos = e;
        String n = name(s, e);
        if (n == null) {
            reason = "bad " + what;
        }
        return n;
    }

    private long nextNumber(String what) {
        skipSpaces();
        long v = decimalToken(pos);
        if (v < 0) {
            reason = "bad " + what;
        }
        return v;
    }

    /** A signed decimal token, or Long.MIN_VALUE when it is not one. */
    private long nextSigned() {
        boolean negative = b[pos] == '-';
        long v = decimalToken(negative ? pos + 1 : pos);
        if (v < 0) {
            return Long.MIN_VALUE;
        }
        return negative ? -v : v;
    }

    /**
     * Unsigned decimal from s to the end of its token, or -1 when empty, not all digits, or beyond
     * 18 digits. One pass: the value's digits are also what ends the token. Leaves pos at its end.
     */
    private long decimalToken(int s) {
        long v = 0;
        int i = s;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            v = v * 10 + d;
        }
        pos = i;
        if (i < end && b[i] != ' ' && b[i] != '\t') {
            return -1;
        }
        return i == s || i - s > 18 ? -1 : v;
    }

    private static final byte[] MAX_U64 = ascii("18446744073709551615");

    /**
     * packets= and bytes=, which the kernel prints as %llu: any unsigned 64-bit decimal, saturated at
     * Long.MAX_VALUE (2^63 - 1 bytes is 8 EiB, so only a counter that is nonsense anyway is capped),
     * which keeps -1 free for ABSENT. -1 when not digits or above 18446744073709551615. Leaves pos at
     * the token's end.
     */
    private long counterToken(int s) {
        long v = 0;
        boolean saturated = false;
        int i = s;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                saturated = true;
            } else if (!saturated) {
                v = v * 10 + d;
            }
        }
        pos = i;
        int digits = i - s;
        if ((i < end && b[i] != ' ' && b[i] != '\t') || digits == 0 || digits > MAX_U64.length) {
            return -1;
        }
        if (digits == MAX_U64.length && Arrays.compare(b, s, i, MAX_U64, 0, MAX_U64.length) > 0) {
            return -1;
        }
        return saturated ? Long.MAX_VALUE : v;
    }

    /** Hex from s to the end of its token (see {@link #hexValue}); leaves pos at its end. */
    private long hexToken(int s) {
        pos = blankFrom(s);
        return hexValue(s, pos);
    }

    /** Hex in b[s, e), "0x" prefix optional (gre prints its keys as 0x%x), or -1. */
    private long hexValue(int s, int e) {
        if (e - s > 2 && b[s] == '0' && (b[s + 1] == 'x' || b[s + 1] == 'X')) {
            s += 2;
        }
        if (s >= e || e - s > 15) {
            return -1;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            byte c = b[i];
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                return -1;
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private boolean equalsAscii(int s, int e, byte[] lit) {
        if (e - s != lit.length) {
            return false;
        }
        for (int i = 0; i < lit.length; i++) {
            if (b[s + i] != lit[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWithSrc() {
        return end - pos > 4 && b[pos] == 's' && b[pos + 1] == 'r' && b[pos + 2] == 'c' && b[pos + 3] == '=';
    }

    private void skipSpaces() {
        while (pos < end && (b[pos] == ' ' || b[pos] == '\t')) {
            pos++;
        }
    }

    /** The index of the first blank (' ' or '\t') at or after i, or the line's end. */
    private int blankFrom(int i) {
        while (i < end && b[i] != ' ' && b[i] != '\t') {
            i++;
        }
        return i;
    }

    private boolean hasEquals(int s, int e) {
        for (int i = s; i < e; i++) {
            if (b[i] == '=') {
                return true;
            }
        }
        return false;
    }

    private boolean fail(String why) {
        reason = why;
        return false;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
