package ctfleet.agent.procfs;

/**
 * Validates and canonicalises the address text of a tuple. The kernel prints IPv4 with {@code %pI4}
 * (already canonical) and IPv6 with {@code %pI6}, which is fully expanded
 * ({@code 0000:0000:0000:0000:0000:0000:0000:0001}); aggregation keys and the server want the
 * RFC 5952 form ({@code ::1}) that {@code ip}, {@code ss} and every log use.
 */
final class AddressText {

    private AddressText() {
    }

    /** b[start, end) as a dotted quad, or null when it is not one. */
    static String ipv4(byte[] b, int start, int end) {
        long v = parseIpv4(b, start, end);
        return v < 0 ? null : formatIpv4((int) v);
    }

    /** The 32-bit value of the dotted quad in b[start, end), or -1 when it is not one. */
    static long parseIpv4(byte[] b, int start, int end) {
        long address = 0;
        int parts = 0;
        int digits = 0;
        int value = 0;
        for (int i = start; i < end; i++) {
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
                return -1;
            }
        }
        if (parts != 3 || digits == 0) {
            return -1;
        }
        return (address << 8) | value;
    }

    static String formatIpv4(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + '.' + ((a >>> 8) & 0xff) + '.' + (a & 0xff);
    }

    /**
     * b[start, end) as RFC 5952 text, or null when it is not an IPv6 address. Accepts the full form
     * the kernel prints and, for hand-written input, the compressed {@code ::} form; an embedded
     * dotted quad is not accepted as input because the kernel never prints one.
     */
    static String ipv6(byte[] b, int start, int end) {
        int[] groups = new int[8];
        return parseIpv6(b, start, end, groups) ? format(groups) : null;
    }

    /** Length of the form the kernel prints: eight groups of four hex digits. */
    static final int IPV6_FULL_LENGTH = 39;

    /** Hex digit values by byte; NOT_HEX for the rest. */
    private static final int NOT_HEX = 0x10000;
    private static final int[] HEX = new int[256];

    static {
        java.util.Arrays.fill(HEX, NOT_HEX);
        for (int c = 0; c < 256; c++) {
            int d = hexValue((byte) c);
            if (d >= 0) {
                HEX[c] = d;
            }
        }
    }

    /**
     * Parses the {@link #IPV6_FULL_LENGTH} bytes at start, the kernel's {@code %pI6} form, into
     * eight groups; false when they are not that form (the general {@link #parseIpv6} may still
     * accept them). No branch per digit: a table lookup each, and one check of all of them.
     */
    static boolean parseIpv6Full(byte[] b, int start, int[] groups) {
        int bad = 0;
        for (int g = 0; g < 8; g++) {
            int i = start + 5 * g;
            int d0 = HEX[b[i] & 0xff];
            int d1 = HEX[b[i + 1] & 0xff];
            int d2 = HEX[b[i + 2] & 0xff];
            int d3 = HEX[b[i + 3] & 0xff];
            bad |= d0 | d1 | d2 | d3;
            if (g < 7) {
                bad |= b[i + 4] == ':' ? 0 : NOT_HEX;
            }
            groups[g] = (d0 << 12) | (d1 << 8) | (d2 << 4) | d3;
        }
        return (bad & NOT_HEX) == 0;
    }

    /** Parses b[start, end) into eight 16-bit groups; false when it is not an IPv6 address. */
    static boolean parseIpv6(byte[] b, int start, int end, int[] groups) {
        int n = 0;
        int gap = -1; // index in groups where "::" stood
        int i = start;
        if (end - start >= 2 && b[i] == ':' && b[i + 1] == ':') {
            gap = 0;
            i += 2;
        }
        while (i < end) {
            if (n == 8) {
                return false;
            }
            int value = 0;
            int digits = 0;
            while (i < end && digits <= 4) {
                int d = hexValue(b[i]);
                if (d < 0) {
                    break;
                }
                value = (value << 4) | d;
                digits++;
                i++;
            }
            if (digits == 0 || digits > 4) {
                return false;
            }
            groups[n++] = value;
            if (i == end) {
                break;
            }
            if (b[i] != ':') {
                return false;
            }
            i++;
            if (i < end && b[i] == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = n;
                i++;
            } else if (i == end) {
                return false; // a trailing single colon
            }
        }
        if (gap >= 0) {
            if (n > 7) {
                return false;
            }
            int shift = 8 - n;
            System.arraycopy(groups, gap, groups, gap + shift, n - gap);
            java.util.Arrays.fill(groups, gap, gap + shift, 0);
        } else if (n != 8) {
            return false;
        }
        return true;
    }

    /** The address whose first 64 bits are {@code high} and last 64 {@code low}, as RFC 5952 text. */
    static String formatIpv6(long high, long low) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            g[4 + i] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        return format(g);
    }

    /** RFC 5952: lower case, no leading zeros, the longest run (first on a tie) of 2+ zero groups as "::". */
    static String format(int[] g) {
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            // IPv4-mapped (RFC 5952 section 5): the form ip(8) and the kernel's %pI6c print.
            return "::ffff:" + (g[6] >> 8) + '.' + (g[6] & 0xff) + '.' + (g[7] >> 8) + '.' + (g[7] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
