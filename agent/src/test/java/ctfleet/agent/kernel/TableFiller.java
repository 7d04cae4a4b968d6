package ctfleet.agent.kernel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs inside a namespace: fills its conntrack table to nf_conntrack_max with one UDP datagram
 * per distinct destination (127.0.1.x × ports 1024..65535), and keeps going until the kernel has
 * early-dropped or dropped at least the requested number of entries. Prints one
 * {@link FillResult} line.
 *
 * <p>Every datagram goes to {@link Netns#SINK_NET}, which the ruleset drops at input: the entry
 * is confirmed on output before that, and nothing answers, so each entry stays UNREPLIED and
 * thus evictable by early_drop. UDP entries expire after nf_conntrack_udp_timeout (30 s), so
 * callers must assert soon after this returns.
 *
 * <p>Usage: {@code TableFiller [losses]} (default 1000).
 */
public final class TableFiller {

    private static final Path MAX = Path.of("/proc/sys/net/netfilter/nf_conntrack_max");
    private static final Path COUNT = Path.of("/proc/sys/net/netfilter/nf_conntrack_count");
    private static final Path STAT = Path.of("/proc/net/stat/nf_conntrack");
    private static final int FIRST_PORT = 1024;
    private static final int PORTS = 65536 - FIRST_PORT;
    private static final int CHECK_EVERY = 4096;
    private static final long DEADLINE_MILLIS = 40_000;

    /** Fills the namespace's table from a child JVM inside it and returns what the filler reported. */
    public static FillResult fill(Netns netns, long wantedLosses) {
        CommandResult result = netns.execJava(Duration.ofSeconds(50), TableFiller.class.getName(),
                Long.toString(wantedLosses));
        if (!result.succeeded()) {
            throw new IllegalStateException(result.describe() + "\n" + result.stdout());
        }
        return FillResult.parse(result.stdout());
    }

    public static void main(String[] args) throws IOException {
        long wantedLosses = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        long max = readLong(MAX);
        if (max <= 0) {
            System.out.println("NOT_FILLED nf_conntrack_max=" + max + " means no limit");
            System.exit(1);
        }
        KernelStat before = KernelStat.parse(ProcText.read(STAT));
        long start = System.nanoTime();
        long sent = 0;
        long refused = 0;
        long count = 0;
        long losses = 0;
        ByteBuffer payload = ByteBuffer.allocate(1);
        try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)) {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            long destination = 0;
            while (true) {
                try {
                    payload.rewind();
                    channel.send(payload, sink(destination++));
                    sent++;
                } catch (IOException full) {
                    // EPERM: the table was full and early_drop found nothing to evict.
                    refused++;
                }
                if ((sent + refused) % CHECK_EVERY == 0) {
                    count = readLong(COUNT);
                    if (count >= max) {
                        losses = KernelStat.parse(ProcText.read(STAT)).fullTableLosses() - before.fullTableLosses();
                        if (losses >= wantedLosses) {
                            break;
                        }
                    }
                    if (elapsedMillis(start) > DEADLINE_MILLIS) {
                        print("NOT_FILLED", max, count, sent, refused, start, before);
                        System.exit(1);
                    }
                }
            }
        }
        print(FillResult.FILLED, max, count, sent, refused, start, before);
    }

    /** Destination number n as 127.0.1.x:port; 254 hosts give 16 million distinct pairs. */
    private static InetSocketAddress sink(long n) throws IOException {
        int host = 1 + (int) (n / PORTS % 254);
        int port = FIRST_PORT + (int) (n % PORTS);
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) host}), port);
    }

    private static void print(String verdict, long max, long count, long sent, long refused, long start,
                              KernelStat before) throws IOException {
        long millis = elapsedMillis(start);
        KernelStat after = KernelStat.parse(ProcText.read(STAT));
        System.out.println(new FillResult(max, count, sent, refused, millis,
                after.counter("early_drop") - before.counter("early_drop"),
                after.counter("drop") - before.counter("drop")).format(verdict));
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static long readLong(Path path) throws IOException {
        return ProcText.readLong(path);
    }
}
