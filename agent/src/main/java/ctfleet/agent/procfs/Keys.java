package ctfleet.agent.procfs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Recognises the {@code key=} that starts a token of an nf_conntrack line, from the token's first
 * eight bytes read as one little-endian long and compared under a mask: one load and a couple of
 * compares instead of finding the '=' and comparing the key byte by byte (most of a line is
 * {@code key=value} tokens, about 20 per line).
 *
 * <p>Codes 0 to {@link ParsedEntry#FIELDS} - 1 are the tuple's identifier slots
 * ({@link ParsedEntry#SPORT} ...), so the parser stores a value at its code without a lookup.
 */
final class Keys {

    static final int SRC = ParsedEntry.FIELDS;
    static final int DST = SRC + 1;
    static final int USE = SRC + 2;
    static final int MARK = SRC + 3;
    static final int ZONE = SRC + 4;
    static final int DELTA_TIME = SRC + 5;
    static final int ZONE_ORIG = SRC + 6;
    static final int ZONE_REPLY = SRC + 7;
    static final int SECMARK = SRC + 8;
    static final int SECCTX = SRC + 9;
    /** A token starting with '[': a flag such as [ASSURED]. */
    static final int FLAG = SRC + 10;
    /** Anything else: a key this parser does not know, or a bare word. */
    static final int OTHER = SRC + 11;

    private static final String[] NAMES = new String[OTHER + 1];
    private static final long[] WORDS = new long[OTHER + 1]; // the key's first 8 bytes, '=' included
    private static final long[] MASKS = new long[OTHER + 1];

    static {
        name(ParsedEntry.SPORT, "sport");
        name(ParsedEntry.DPORT, "dport");
        name(ParsedEntry.TYPE, "type");
        name(ParsedEntry.CODE, "code");
        name(ParsedEntry.ID, "id");
        name(ParsedEntry.SRCKEY, "srckey");
        name(ParsedEntry.DSTKEY, "dstkey");
        name(ParsedEntry.PACKETS, "packets");
        name(ParsedEntry.BYTES, "bytes");
        name(SRC, "src");
        name(DST, "dst");
        name(USE, "use");
        name(MARK, "mark");
        name(ZONE, "zone");
        name(DELTA_TIME, "delta-time");
        name(ZONE_ORIG, "zone-orig");
        name(ZONE_REPLY, "zone-reply");
        name(SECMARK, "secmark");
        name(SECCTX, "secctx");
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Keys() {
    }

    private static void name(int code, String key) {
        byte[] k = (key + "=").getBytes(StandardCharsets.ISO_8859_1);
        int n = Math.min(8, k.length);
        long w = 0;
        for (int i = n - 1; i >= 0; i--) {
            w = (w << 8) | k[i];
        }
        NAMES[code] = key;
        WORDS[code] = w;
        MASKS[code] = n == 8 ? -1L : (1L << (8 * n)) - 1;
    }

    static String name(int code) {
        return NAMES[code];
    }

    /** Bytes of the key with its '='; the value starts that far from the token. */
    static int length(int code) {
        return NAMES[code].length() + 1;
    }

    /** The code of the token at b[s] (s before end, not blank) in a line ending at end. */
    static int of(byte[] b, int s, int end) {
        long w = word(b, s, end);
        switch ((int) w & 0xff) {
            case 's':
                return is(w, SRC) ? SRC : is(w, ParsedEntry.SPORT) ? ParsedEntry.SPORT
                        : is(w, ParsedEntry.SRCKEY) ? ParsedEntry.SRCKEY : is(w, SECMARK) ? SECMARK
                        : is(w, SECCTX) ? SECCTX : OTHER;
            case 'd':
                return is(w, DST) ? DST : is(w, ParsedEntry.DPORT) ? ParsedEntry.DPORT
                        : is(w, ParsedEntry.DSTKEY) ? ParsedEntry.DSTKEY
                        : isLong(b, s, end, w, DELTA_TIME) ? DELTA_TIME : OTHER;
            case 'p':
                return is(w, ParsedEntry.PACKETS) ? ParsedEntry.PACKETS : OTHER;
            case 'b':
                return is(w, ParsedEntry.BYTES) ? ParsedEntry.BYTES : OTHER;
            case 'u':
                return is(w, USE) ? USE : OTHER;
            case 'm':
                return is(w, MARK) ? MARK : OTHER;
            case 't':
                return is(w, ParsedEntry.TYPE) ? ParsedEntry.TYPE : OTHER;
            case 'c':
                return is(w, ParsedEntry.CODE) ? ParsedEntry.CODE : OTHER;
            case 'i':
                return is(w, ParsedEntry.ID) ? ParsedEntry.ID : OTHER;
            case 'z':
                return is(w, ZONE) ? ZONE : isLong(b, s, end, w, ZONE_ORIG) ? ZONE_ORIG
                        : isLong(b, s, end, w, ZONE_REPLY) ? ZONE_REPLY : OTHER;
            case '[':
                return FLAG;
            default:
                return OTHER;
        }
    }

    /** Whether the token's first word w is the key (for keys of up to 7 letters and '='). */
    private static boolean is(long w, int code) {
        return (w & MASKS[code]) == WORDS[code];
    }

    /** Whether the token at s is the key, for keys longer than a word: the rest byte by byte. */
    private static boolean isLong(byte[] b, int s, int end, long w, int code) {
        if (w != WORDS[code]) {
            return false;
        }
        String key = NAMES[code];
        int n = key.length() + 1;
        if (end - s < n || b[s + n - 1] != '=') {
            return false;
        }
        for (int i = 8; i < n - 1; i++) {
            if (b[s + i] != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The 8 bytes at s, little-endian; bytes at or past the line's end read as 0 so no key matches there. */
    private static long word(byte[] b, int s, int end) {
        if (s + 8 <= end) {
            return (long) LONGS.get(b, s);
        }
        long w = 0;
        for (int i = end - 1; i >= s; i--) {
            w = (w << 8) | (b[i] & 0xff);
        }
        return w;
    }
}
