package ctfleet.agent.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a synthetic {@code /proc/net/nf_conntrack} with a gateway-like mix of formats: mostly
 * IPv4 tcp (established and time-wait dominate), udp with many unreplied DNS lookups, some IPv6
 * (expanded, as the kernel prints it), icmp, gre and an unknown protocol; accounting and
 * timestamps on. Usage: {@code TableGenerator FILE [LINES]}.
 */
public final class TableGenerator {

    private static final String[] TCP_STATES = {
        "ESTABLISHED", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED", "TIME_WAIT", "TIME_WAIT",
        "TIME_WAIT", "SYN_SENT", "CLOSE_WAIT", "FIN_WAIT", "SYN_RECV", "LAST_ACK", "CLOSE",
    };

    private TableGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "nf_conntrack.generated");
        long lines = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        write(file, lines, 1);
        System.out.printf("wrote %d lines, %.1f MB to %s%n", lines, Files.size(file) / 1e6, file);
    }

    public static void write(Path file, long lines, long seed) throws IOException {
        Random r = new Random(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.ISO_8859_1)) {
            StringBuilder sb = new StringBuilder(512);
            for (long i = 0; i < lines; i++) {
                sb.setLength(0);
                line(r, sb);
                w.append(sb).append('\n');
            }
        }
    }

    static void line(Random r, StringBuilder sb) {
        int kind = r.nextInt(100);
        if (kind < 62) {
            v4(r, sb, "tcp", 6, TCP_STATES[r.nextInt(TCP_STATES.length)], true);
        } else if (kind < 84) {
            v4(r, sb, "udp", 17, "", true);
        } else if (kind < 94) {
            v6(r, sb);
        } else if (kind < 97) {
            String client = client(r);
            String server = server(r);
            int id = r.nextInt(65536);
            sb.append("ipv4     2 icmp     1 29 src=").append(client).append(" dst=").append(server)
                    .append(" type=8 code=0 id=").append(id).append(" packets=1 bytes=84 src=").append(server)
                    .append(" dst=").append(client).append(" type=0 code=0 id=").append(id)
                    .append(" packets=1 bytes=84 mark=0 zone=0 delta-time=3 use=2");
        } else if (kind < 99) {
            String a = server(r);
            String b = server(r);
            sb.append("ipv4     2 gre      47 179 timeout=30, stream_timeout=180 src=").append(a).append(" dst=").append(b)
                    .append(" srckey=0x0 dstkey=0x0 packets=120 bytes=14400 src=").append(b).append(" dst=").append(a)
                    .append(" srckey=0x0 dstkey=0x0 packets=118 bytes=14100 [ASSURED] mark=0 zone=0 delta-time=900 use=2");
        } else {
            String a = client(r);
            String b = server(r);
            sb.append("ipv4     2 unknown  253 599 src=").append(a).append(" dst=").append(b)
                    .append(" packets=1 bytes=23 [UNREPLIED] src=").append(b).append(" dst=").append(a)
                    .append(" packets=0 bytes=0 mark=0 zone=0 delta-time=1 use=2");
        }
    }

    private static void v4(Random r, StringBuilder sb, String proto, int num, String state, boolean acct) {
        String client = client(r);
        String server = server(r);
        int sport = 32768 + r.nextInt(28232);
        int dport = proto.equals("udp") ? (r.nextInt(3) == 0 ? 123 : 53) : (r.nextInt(4) == 0 ? 80 : 443);
        boolean unreplied = state.equals("SYN_SENT") || (proto.equals("udp") && r.nextInt(3) == 0);
        int timeout = state.equals("ESTABLISHED") ? 431_000 + r.nextInt(999) : r.nextInt(120);
        sb.append("ipv4     2 ").append(proto).append(proto.length() == 3 ? "      " : "     ").append(num).append(' ')
                .append(timeout).append(' ');
        if (!state.isEmpty()) {
            sb.append(state).append(' ');
        }
        sb.append("src=").append(client).append(" dst=").append(server).append(" sport=").append(sport)
                .append(" dport=").append(dport);
        if (acct) {
            sb.append(" packets=").append(1 + r.nextInt(5000)).append(" bytes=").append(60 + r.nextInt(5_000_000));
        }
        if (unreplied) {
            sb.append(" [UNREPLIED]");
        }
        sb.append(" src=").append(server).append(" dst=").append(client).append(" sport=").append(dport)
                .append(" dport=").append(sport);
        if (acct) {
            sb.append(" packets=").append(unreplied ? 0 : r.nextInt(5000)).append(" bytes=")
                    .append(unreplied ? 0 : r.nextInt(50_000_000));
        }
        if (!unreplied && r.nextInt(10) != 0) {
            sb.append(" [ASSURED]");
        }
        sb.append(" mark=0 zone=0 delta-time=").append(r.nextInt(3600)).append(" use=2");
    }

    private static void v6(Random r, StringBuilder sb) {
        String client = String.format("2001:0db8:%04x:0000:0000:0000:0000:%04x", r.nextInt(16), r.nextInt(4096));
        String server = String.format("2001:0db8:ffff:0000:0000:0000:0000:%04x", r.nextInt(32));
        int sport = 32768 + r.nextInt(28232);
        sb.append("ipv6     10 tcp      6 431999 ESTABLISHED src=").append(client).append(" dst=").append(server)
                .append(" sport=").append(sport).append(" dport=443 packets=").append(r.nextInt(5000))
                .append(" bytes=").append(r.nextInt(5_000_000)).append(" src=").append(server).append(" dst=")
                .append(client).append(" sport=443 dport=").append(sport).append(" packets=").append(r.nextInt(5000))
                .append(" bytes=").append(r.nextInt(50_000_000)).append(" [ASSURED] mark=0 zone=0 delta-time=")
                .append(r.nextInt(3600)).append(" use=2");
    }

    /** Clients: a /16 of NATed hosts. */
    private static String client(Random r) {
        return "10.20." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    /** Servers: a skewed set, so top destinations mean something. */
    private static String server(Random r) {
        int n = (int) Math.floor(Math.pow(r.nextDouble(), 4) * 2000);
        return "203.0." + (n >> 8) + "." + (n & 255);
    }
}
