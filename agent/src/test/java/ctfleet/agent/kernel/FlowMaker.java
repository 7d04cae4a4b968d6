package ctfleet.agent.kernel;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs inside a namespace (see {@link OpenFlows}): opens the flows of a {@link FlowPlan},
 * prints {@value #READY}, and holds them until stdin closes, so the test reads the table while
 * every socket is still open.
 *
 * <p>Usage: {@code FlowMaker tcp4-established=2,udp4-unreplied=3,...}
 */
public final class FlowMaker {

    public static final String READY = "READY";

    private static final InetAddress LOOPBACK4 = InetAddress.getLoopbackAddress();
    private final List<Closeable> held = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FlowMaker kind=n[,kind=n...]");
            System.exit(2);
        }
        FlowPlan plan = FlowPlan.parse(args[0]);
        FlowMaker maker = new FlowMaker();
        try {
            for (var entry : plan.counts().entrySet()) {
                maker.open(entry.getKey(), entry.getValue());
            }
            System.out.println(READY);
            System.out.flush();
            while (System.in.read() != -1) {
                // hold until the test closes our stdin
            }
        } finally {
            maker.closeAll();
        }
    }

    private void open(FlowKind kind, int n) throws IOException {
        switch (kind) {
            case TCP4_ESTABLISHED -> tcpEstablished(loopback4(), n);
            case TCP6_ESTABLISHED -> tcpEstablished(loopback6(), n);
            case TCP4_TIME_WAIT -> tcpTimeWait(n);
            case TCP4_SYN_SENT -> tcpSynSent(n);
            case UDP4_UNREPLIED -> udpUnreplied(n);
            case UDP4_REPLIED -> udpReplied(loopback4(), n);
            case UDP6_REPLIED -> udpReplied(loopback6(), n);
            case ICMP4_ECHO -> icmpEcho(n);
        }
    }

    private static InetAddress loopback4() {
        return LOOPBACK4;
    }

    private static InetAddress loopback6() throws IOException {
        return InetAddress.getByName("::1");
    }

    private void tcpEstablished(InetAddress address, int n) throws IOException {
        ServerSocketChannel server = hold(ServerSocketChannel.open().bind(new InetSocketAddress(address, 0), n));
        for (int i = 0; i < n; i++) {
            hold(SocketChannel.open(server.getLocalAddress()));
            hold(server.accept());
        }
    }

    /** The client closes first and the server after reading EOF: the orderly four-way close. */
    private void tcpTimeWait(int n) throws IOException {
        ServerSocketChannel server = hold(ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK4, 0), n));
        for (int i = 0; i < n; i++) {
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            client.close();
            if (accepted.read(ByteBuffer.allocate(1)) != -1) {
                throw new IOException("expected EOF from the closed client");
            }
            accepted.close();
        }
    }

    private void tcpSynSent(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            SocketChannel client = hold(SocketChannel.open());
            client.configureBlocking(false);
            if (client.connect(new InetSocketAddress(LOOPBACK4, Netns.DROPPED_TCP_PORT))) {
                throw new IOException("connected to the port the ruleset drops");
            }
        }
    }

    /** A bound receiver that never reads: no ICMP unreachable, no reply. */
    private void udpUnreplied(int n) throws IOException {
        DatagramChannel receiver = hold(DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK4, 0)));
        for (int i = 0; i < n; i++) {
            DatagramChannel sender = hold(DatagramChannel.open(StandardProtocolFamily.INET));
            sender.send(ByteBuffer.wrap(new byte[] {1}), receiver.getLocalAddress());
        }
    }

    private void udpReplied(InetAddress address, int n) throws IOException {
        DatagramChannel echo = hold(DatagramChannel.open(family(address)).bind(new InetSocketAddress(address, 0)));
        for (int i = 0; i < n; i++) {
            DatagramChannel client = hold(DatagramChannel.open(family(address)));
            client.send(ByteBuffer.wrap(new byte[] {1}), echo.getLocalAddress());
            ByteBuffer buffer = ByteBuffer.allocate(16);
            SocketAddress from = echo.receive(buffer);
            echo.send(buffer.flip(), from);
            client.receive(ByteBuffer.allocate(16));
        }
    }

    /**
     * As root, isReachable sends ICMP echo from a raw socket with the process id as ICMP id, so
     * repeated pings to one address share one entry: each flow gets its own 127.0.0.x.
     */
    private void icmpEcho(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            InetAddress target = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (10 + i)});
            if (!target.isReachable(2000)) {
                throw new IOException("no echo reply from " + target.getHostAddress());
            }
        }
    }

    private static StandardProtocolFamily family(InetAddress address) {
        return address.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    private <T extends Closeable> T hold(T resource) {
        held.add(resource);
        return resource;
    }

    private void closeAll() {
        for (Closeable resource : held) {
            try {
                resource.close();
            } catch (IOException ignored) {
                // exiting anyway; the kernel closes what we could not
            }
        }
    }
}
