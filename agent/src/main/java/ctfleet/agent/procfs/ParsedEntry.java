package ctfleet.agent.procfs;

import java.util.Optional;

/**
 * The line {@link EntryParser} accepted last, as a view the parser overwrites on every line:
 * valid only during {@link EntryListener#onParsed}. Addresses are numbers here, not text.
 *
 * <p>Why not a {@link ConntrackEntry}: a full scan of a 262k-entry table hands out a quarter of a
 * million entries of which an aggregator reads a handful of fields, and the record with its two
 * tuples and four address Strings cost more than parsing the line. {@link #toEntry} builds the
 * record for listeners that want one.
 */
public final class ParsedEntry {

    /** Address indexes for {@link #ipv4}, {@link #addressHigh} and {@link #addressLow}. */
    public static final int ORIGINAL_SRC = 0;
    public static final int ORIGINAL_DST = 1;
    public static final int REPLY_SRC = 2;
    public static final int REPLY_DST = 3;
    /** Tuple indexes for {@link #hasPorts} and {@link #dport}. */
    public static final int ORIGINAL = 0;
    public static final int REPLY = 1;

    // Per-tuple identifier slots, in ids[tuple * FIELDS + slot].
    static final int SPORT = 0;
    static final int DPORT = 1;
    static final int TYPE = 2;
    static final int CODE = 3;
    static final int ID = 4;
    static final int SRCKEY = 5;
    static final int DSTKEY = 6;
    static final int PACKETS = 7;
    static final int BYTES = 8;
    static final int FIELDS = 9;

    private final AddressCache addresses;

    // Written by EntryParser, field by field, as it walks the line.
    String family;
    int l3num;
    String protocol;
    int protonum;
    long timeout;
    String state;
    final boolean[] v4 = new boolean[4];
    final long[] high = new long[4];
    final long[] low = new long[4];
    final long[] ids = new long[2 * FIELDS];
    final int[] present = new int[2]; // bit per slot: set when the tuple had it
    boolean unreplied;
    boolean assured;
    boolean offload;
    boolean hwOffload;
    long mark;
    long secmark;
    String secctx; // null when absent
    long zone;
    long zoneOrig;
    long zoneReply;
    long deltaTime;
    long use;

    ParsedEntry(AddressCache addresses) {
        this.addresses = addresses;
    }

    public String family() {
        return family;
    }

    public String protocol() {
        return protocol;
    }

    /** Empty for protocols without state. */
    public String state() {
        return state;
    }

    public boolean unreplied() {
        return unreplied;
    }

    public boolean assured() {
        return assured;
    }

    public boolean offloaded() {
        return offload || hwOffload;
    }

    /** The tuple printed sport= and dport= (tcp, udp, udplite, sctp, dccp); as {@link Tuple#hasPorts}. */
    public boolean hasPorts(int tuple) {
        return (int) id(tuple, SPORT) != Tuple.ABSENT && (int) id(tuple, DPORT) != Tuple.ABSENT;
    }

    /** Meaningful when {@link #hasPorts}. */
    public int dport(int tuple) {
        return (int) ids[tuple * FIELDS + DPORT];
    }

    /** True when the address was printed as a dotted quad; {@link #addressLow} is then its value. */
    public boolean ipv4(int address) {
        return v4[address];
    }

    /** The first 64 bits of an IPv6 address; 0 for IPv4. */
    public long addressHigh(int address) {
        return high[address];
    }

    /** The last 64 bits of an IPv6 address, or the 32-bit IPv4 address. */
    public long addressLow(int address) {
        return low[address];
    }

    /** The canonical text (RFC 5952 for IPv6) of an address given as {@link #ipv4}, high and low. */
    public static String addressText(boolean ipv4, long high, long low) {
        return ipv4 ? AddressText.formatIpv4((int) low) : AddressText.formatIpv6(high, low);
    }

    /** The line as a record; address Strings come from the parser's cache, so they are shared. */
    public ConntrackEntry toEntry() {
        return new ConntrackEntry(family, l3num, protocol, protonum, timeout, state,
                tuple(ORIGINAL), tuple(REPLY), unreplied, assured, offload, hwOffload,
                mark, secmark, Optional.ofNullable(secctx), zone, zoneOrig, zoneReply, deltaTime, use);
    }

    private Tuple tuple(int t) {
        int a = 2 * t;
        return new Tuple(address(a), address(a + 1), (int) id(t, SPORT), (int) id(t, DPORT), (int) id(t, TYPE),
                (int) id(t, CODE), (int) id(t, ID), id(t, SRCKEY), id(t, DSTKEY), id(t, PACKETS), id(t, BYTES));
    }

    private String address(int a) {
        return addresses.text(v4[a], high[a], low[a]);
    }

    private long id(int t, int slot) {
        return (present[t] & (1 << slot)) != 0 ? ids[t * FIELDS + slot] : Tuple.ABSENT;
    }
}
