package ctfleet.agent.procfs;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

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
 * kernel's own 0.44 s to print it: the parser walks bytes once, allocates no String per field, and
 * hands out cached Strings for names and addresses. Not thread-safe: one parser per reading thread.
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

    private static final int ABSENT = Tuple.ABSENT;
    // Per-tuple field slots.
    private static final int SPORT = 0;
    private static final int DPORT = 1;
    private static final int TYPE = 2;
    private static final int CODE = 3;
    private static final int ID = 4;
    private static final int SRCKEY = 5;
    private static final int DSTKEY = 6;
    private static final int PACKETS = 7;
    private static final int BYTES = 8;
    private static final int FIELDS = 9;

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
    // ~250 kB: a gateway's table has tens of thousands of distinct client addresses, and a miss
    // costs a String plus its hash in the aggregator.
    private final AddressCache addresses = new AddressCache(16_384, 4096);

    // Per-line state, reset by parse(); fields rather than locals so helpers can share them.
    private byte[] b;
    private int pos;
    private int end;
    private int eq;
    private String reason;
    private final long[][] tuple = new long[2][FIELDS];
    private final int[] present = new int[2]; // bit per field slot: set when the line had it
    private final String[] src = new String[2];
    private final String[] dst = new String[2];

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
        ConntrackEntry entry = parseLine(buf, off, len);
        b = null; // do not pin the caller's buffer
        return entry != null ? new Parsed(entry) : new Malformed(reason);
    }

    private ConntrackEntry parseLine(byte[] buf, int off, int len) {
        b = buf;
        pos = off;
        end = off + len;
        while (end > pos && b[end - 1] == '\r') {
            end--;
        }

        String family = nextName("family");
        if (family == null) {
            return null;
        }
        long l3num = nextNumber("l3 number");
        if (l3num < 0) {
            return null;
        }
        String protocol = nextName("protocol");
        if (protocol == null) {
            return null;
        }
        long protonum = nextNumber("protocol number");
        if (protonum < 0 || protonum > 255) {
            return fail(protonum < 0 ? reason : "protocol number out of range");
        }
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
            int e = tokenEnd();
            if (state.isEmpty() && b[s] != '[' && eq < 0) {
                state = name(s, e);
                if (state == null) {
                    return fail("bad state");
                }
            }
            pos = e;
        }

        int t = -1; // index of the tuple being read: 0 original, 1 reply
        boolean unreplied = false;
        boolean assured = false;
        boolean offload = false;
        boolean hwOffload = false;
        long mark = ABSENT;
        long secmark = ABSENT;
        Optional<String> secctx = Optional.empty();
        long zone = ABSENT;
        long zoneOrig = ABSENT;
        long zoneReply = ABSENT;
        long deltaTime = ABSENT;
        long use = ABSENT;

        while (true) {
            skipSpaces();
            if (pos >= end) {
                break;
            }
            int s = pos;
            int e = tokenEnd();
            pos = e;
            if (b[s] == '[') {
                if (equalsAscii(s, e, UNREPLIED)) {
                    unreplied = true;
                } else if (equalsAscii(s, e, ASSURED)) {
                    assured = true;
                } else if (equalsAscii(s, e, OFFLOAD)) {
                    offload = true;
                } else if (equalsAscii(s, e, HW_OFFLOAD)) {
                    hwOffload = true;
                }
                continue;
            }
            if (eq < 0) {
                continue; // a bare word from some future kernel
            }
            int ks = s;
            int klen = eq - s;
            int vs = eq + 1;
            byte k0 = b[ks];
            if (klen == 3 && k0 == 's' && b[ks + 1] == 'r' && b[ks + 2] == 'c') {
                if (++t > 1) {
                    return fail("more than two tuples");
                }
                present[t] = 0;
                dst[t] = null;
                src[t] = address(vs, e);
                if (src[t] == null) {
                    return fail("bad src address");
                }
                continue;
            }
            if (klen == 3 && k0 == 'd' && b[ks + 1] == 's' && b[ks + 2] == 't') {
                if (t < 0) {
                    return fail("dst= before src=");
                }
                dst[t] = address(vs, e);
                if (dst[t] == null) {
                    return fail("bad dst address");
                }
                continue;
            }
            int slot = tupleSlot(ks, klen);
            if (slot >= 0) {
                if (t < 0) {
                    return fail("tuple field before src=");
                }
                long v = (slot == SRCKEY || slot == DSTKEY) ? hexValue(vs, e) : decimalValue(vs, e);
                if (v < 0) {
                    return fail("bad number in " + new String(b, ks, klen, StandardCharsets.ISO_8859_1) + "=");
                }
                tuple[t][slot] = v;
                present[t] |= 1 << slot;
                continue;
            }
            // Fields about the whole entry; zone-orig/zone-reply follow their tuple.
            long v;
            if (keyIs(ks, klen, "use")) {
                use = v = decimalValue(vs, e);
            } else if (keyIs(ks, klen, "mark")) {
                mark = v = decimalValue(vs, e);
            } else if (keyIs(ks, klen, "zone")) {
                zone = v = decimalValue(vs, e);
            } else if (keyIs(ks, klen, "delta-time")) {
                deltaTime = v = decimalValue(vs, e);
            } else if (keyIs(ks, klen, "zone-orig")) {
                zoneOrig = v = decimalValue(vs, e);
            } else if (keyIs(ks, klen, "zone-reply")) {
                zoneReply = v = decimalValue(vs, e);
            } else if (keyIs(ks, klen, "secmark")) {
                secmark = v = decimalValue(vs, e);
            } else if (keyIs(ks, klen, "secctx")) {
                secctx = Optional.of(new String(b, vs, e - vs, StandardCharsets.ISO_8859_1));
                v = 0;
            } else {
                v = 0; // unknown key=value: tolerated
            }
            if (v < 0) {
                return fail("bad number in " + new String(b, ks, klen, StandardCharsets.ISO_8859_1) + "=");
            }
        }

        if (t != 1) {
            return fail(t < 0 ? "no tuple" : "no reply tuple (truncated line?)");
        }
        if (use == ABSENT) {
            return fail("no use= field (truncated line?)");
        }
        for (int i = 0; i < 2; i++) {
            if (dst[i] == null) {
                return fail("tuple without dst=");
            }
            String missing = missingIds(protocol, present[i]);
            if (missing != null) {
                return fail(protocol + " tuple without " + missing);
            }
        }
        return new ConntrackEntry(family, (int) l3num, protocol, (int) protonum, timeout, state,
                tupleOf(0), tupleOf(1), unreplied, assured, offload, hwOffload,
                mark, secmark, secctx, zone, zoneOrig, zoneReply, deltaTime, use);
    }

    private Tuple tupleOf(int i) {
        return new Tuple(src[i], dst[i], (int) field(i, SPORT), (int) field(i, DPORT), (int) field(i, TYPE),
                (int) field(i, CODE), (int) field(i, ID), field(i, SRCKEY), field(i, DSTKEY),
                field(i, PACKETS), field(i, BYTES));
    }

    private long field(int t, int slot) {
        return (present[t] & (1 << slot)) != 0 ? tuple[t][slot] : ABSENT;
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

    private int tupleSlot(int ks, int klen) {
        switch (klen) {
            case 2:
                return keyIs(ks, klen, "id") ? ID : -1;
            case 4:
                return keyIs(ks, klen, "type") ? TYPE : keyIs(ks, klen, "code") ? CODE : -1;
            case 5:
                if (keyIs(ks, klen, "sport")) {
                    return SPORT;
                }
                if (keyIs(ks, klen, "dport")) {
                    return DPORT;
                }
                return keyIs(ks, klen, "bytes") ? BYTES : -1;
            case 6:
                return keyIs(ks, klen, "srckey") ? SRCKEY : keyIs(ks, klen, "dstkey") ? DSTKEY : -1;
            case 7:
                return keyIs(ks, klen, "packets") ? PACKETS : -1;
            default:
                return -1;
        }
    }

    private String address(int s, int e) {
        return s < e ? addresses.address(b, s, e) : null;
    }

    /** A cached name token: letters, digits, '_' and '-' only, so NUL bytes and binary junk fail. */
    private String name(int s, int e) {
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
        int e = tokenEnd();
        pos = e;
        String n = name(s, e);
        if (n == null) {
            reason = "bad " + what;
        }
        return n;
    }

    private long nextNumber(String what) {
        skipSpaces();
        int s = pos;
        int e = tokenEnd();
        pos = e;
        long v = decimalValue(s, e);
        if (v < 0) {
            reason = "bad " + what;
        }
        return v;
    }

    /** A signed decimal token, or Long.MIN_VALUE when it is not one. */
    private long nextSigned() {
        int s = pos;
        int e = tokenEnd();
        pos = e;
        boolean negative = b[s] == '-';
        long v = decimalValue(negative ? s + 1 : s, e);
        if (v < 0) {
            return Long.MIN_VALUE;
        }
        return negative ? -v : v;
    }

    /** Unsigned decimal in b[s, e), or -1 when empty, not all digits, or beyond 18 digits. */
    private long decimalValue(int s, int e) {
        if (s >= e || e - s > 18) {
            return -1;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
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

    private boolean keyIs(int ks, int klen, String key) {
        if (klen != key.length()) {
            return false;
        }
        for (int i = 0; i < klen; i++) {
            if (b[ks + i] != key.charAt(i)) {
                return false;
            }
        }
        return true;
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

    /** End of the token at pos; also records its first '=' in {@link #eq} (-1 when none). */
    private int tokenEnd() {
        int i = pos;
        int firstEq = -1;
        while (i < end) {
            byte c = b[i];
            if (c == ' ' || c == '\t') {
                break;
            }
            if (c == '=' && firstEq < 0) {
                firstEq = i;
            }
            i++;
        }
        eq = firstEq;
        return i;
    }

    private ConntrackEntry fail(String why) {
        reason = why;
        return null;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
