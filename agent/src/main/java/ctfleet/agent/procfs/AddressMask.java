package ctfleet.agent.procfs;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --mask-addresses}: an address cut to its network before it leaves the host, an IPv4
 * address to its /24 and an IPv6 address to its /48 (an IPv4-mapped IPv6 address to its /120, the
 * same /24). Which network a gateway's clients and destinations are in is what capacity work
 * needs; which person or machine is not.
 *
 * <p>Masking happens on the numbers, before counting, so the top lists rank networks (two clients
 * of one /24 are one source) rather than a sample of masked individuals.
 */
public final class AddressMask {
    public static final int IPV4_PREFIX = 24;
    public static final int IPV6_PREFIX = 48;
    private static final Pattern ADDRESS = Pattern.compile("\\b(src|dst)=(\\S*)");

    private AddressMask() {}

    /** The masked first 64 bits of an address given as {@link ParsedEntry#ipv4}, high and low. */
    public static long high(boolean ipv4, long high, long low) {
        return ipv4 || mapped(high, low) ? high : high & 0xFFFF_FFFF_FFFF_0000L;
    }

    /** The masked last 64 bits (for IPv4: the masked address). */
    public static long low(boolean ipv4, long high, long low) {
        return ipv4 || mapped(high, low) ? low & ~0xFFL : 0;
    }

    /** The text of a masked address, with its prefix length: {@code 10.1.2.0/24}, {@code 2001:db8:1::/48}. */
    public static String text(boolean ipv4, long high, long low) {
        int prefix = ipv4 ? IPV4_PREFIX : mapped(high, low) ? 96 + IPV4_PREFIX : IPV6_PREFIX;
        return ParsedEntry.addressText(ipv4, high, low) + "/" + prefix;
    }

    /**
     * A raw entry line with every {@code src=} and {@code dst=} address masked; an address that does
     * not parse becomes {@code ?} (what cannot be masked is not sent).
     */
    public static String line(String raw) {
        Matcher m = ADDRESS.matcher(raw);
        StringBuilder out = new StringBuilder(raw.length() + 16);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "=" + masked(m.group(2))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String masked(String address) {
        byte[] b = address.getBytes(StandardCharsets.ISO_8859_1);
        long v4 = AddressText.parseIpv4(b, 0, b.length);
        if (v4 >= 0) {
            return text(true, 0, low(true, 0, v4));
        }
        int[] g = new int[8];
        if (!AddressText.parseIpv6(b, 0, b.length, g)) {
            return "?";
        }
        long high = ((long) g[0] << 48) | ((long) g[1] << 32) | ((long) g[2] << 16) | g[3];
        long low = ((long) g[4] << 48) | ((long) g[5] << 32) | ((long) g[6] << 16) | g[7];
        return text(false, high(false, high, low), low(false, high, low));
    }

    /** ::ffff:a.b.c.d, an IPv4 address in IPv6 clothing: masked as the IPv4 address it is. */
    private static boolean mapped(long high, long low) {
        return high == 0 && (low >>> 32) == 0xFFFFL;
    }
}
