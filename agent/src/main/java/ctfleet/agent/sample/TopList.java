package ctfleet.agent.sample;

import ctfleet.agent.procfs.AddressMask;
import ctfleet.agent.procfs.ParsedEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntFunction;

/**
 * Picks the K most frequent endpoints from counted keys (address high and low, tag), in the order
 * the server shows: count descending, then address text, port and protocol name. Ranks on the
 * numbers and makes text only for the K winners: a 2000-line sample has ~2000 destinations tied
 * at count 1, and formatting and sorting them all cost more than the tick's parsing.
 */
final class TopList implements KeyCounter.Visitor {

    /** A key's tag: bit 32 set for IPv4, the port in bits 0-31, the protocol's number above bit 32. */
    static final long IPV4 = 1L << 32;

    private final class Candidate {
        final long high;
        final long low;
        final long tag;
        final long count;
        private String text;

        Candidate(long high, long low, long tag, long count) {
            this.high = high;
            this.low = low;
            this.tag = tag;
            this.count = count;
        }

        boolean ipv4() {
            return (tag & IPV4) != 0;
        }

        String text() {
            if (text == null) {
                text = masked ? AddressMask.text(ipv4(), high, low) : ParsedEntry.addressText(ipv4(), high, low);
            }
            return text;
        }

        String protocol() {
            return protocolNames.apply((int) (tag >>> 33));
        }
    }

    private final int k;
    private final IntFunction<String> protocolNames;
    private final boolean masked;
    private final Comparator<Candidate> better;
    private final PriorityQueue<Candidate> worstFirst;

    /**
     * @param protocolNames the name of a protocol number in the tags; "" when tags carry none
     * @param masked        the keys are {@link AddressMask}ed: their text says the prefix length
     */
    TopList(int k, IntFunction<String> protocolNames, boolean masked) {
        this.k = k;
        this.protocolNames = protocolNames;
        this.masked = masked;
        this.better = Comparator.<Candidate>comparingLong(c -> c.count)
                .thenComparing(TopList::byAddressText)
                .thenComparing(Comparator.<Candidate>comparingInt(c -> (int) c.tag).reversed())
                .thenComparing(Comparator.comparing(Candidate::protocol).reversed());
        this.worstFirst = new PriorityQueue<>(k + 1, better);
    }

    @Override
    public void visit(long high, long low, long tag, long count) {
        if (worstFirst.size() == k && count < worstFirst.peek().count) {
            return; // the common case, decided without allocating
        }
        worstFirst.add(new Candidate(high, low, tag, count));
        if (worstFirst.size() > k) {
            worstFirst.poll();
        }
    }

    /** The winners, best first; {@code withPort} false for sources (port 0, protocol ""). */
    List<EntrySample.Endpoint> endpoints(boolean withPort) {
        List<Candidate> top = new ArrayList<>(worstFirst);
        top.sort(better.reversed());
        List<EntrySample.Endpoint> out = new ArrayList<>(top.size());
        for (Candidate c : top) {
            out.add(withPort ? new EntrySample.Endpoint(c.text(), (int) c.tag, c.protocol(), c.count)
                    : new EntrySample.Endpoint(c.text(), 0, "", c.count));
        }
        return List.copyOf(out);
    }

    /** Reversed address text order (a greater text is worse), without text for two IPv4 addresses. */
    private static int byAddressText(Candidate a, Candidate b) {
        int order = a.ipv4() && b.ipv4() ? compareIpv4Text((int) a.low, (int) b.low) : a.text().compareTo(b.text());
        return -order;
    }

    /**
     * Compares two IPv4 addresses as their dotted-quad text would compare: octet by octet, each by
     * its decimal digits, a shorter octet first when one is a prefix of the other ('.' and the
     * string's end sort before any digit), so "10.0.0.10" comes before "10.0.0.2".
     */
    static int compareIpv4Text(int a, int b) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            int x = (a >>> shift) & 0xff;
            int y = (b >>> shift) & 0xff;
            if (x != y) {
                return compareDecimalText(x, y);
            }
        }
        return 0;
    }

    private static int compareDecimalText(int x, int y) {
        int lx = x >= 100 ? 3 : x >= 10 ? 2 : 1;
        int ly = y >= 100 ? 3 : y >= 10 ? 2 : 1;
        for (int i = 0; i < Math.min(lx, ly); i++) {
            int dx = x / POWERS[lx - 1 - i] % 10;
            int dy = y / POWERS[ly - 1 - i] % 10;
            if (dx != dy) {
                return dx - dy;
            }
        }
        return lx - ly;
    }

    private static final int[] POWERS = {1, 10, 100};
}
