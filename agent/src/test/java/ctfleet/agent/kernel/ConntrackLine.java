package ctfleet.agent.kernel;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a /proc/net/nf_conntrack line for the kernel tests to count flows by kind.
 * Deliberately independent of the agent's own parser, so the tests check it rather than echo it.
 *
 * <pre>ipv4     2 tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=56934 dport=8080 ... [ASSURED] ...</pre>
 */
public record ConntrackLine(String family, String protocol, Optional<String> state, int originalDport,
                            boolean unreplied, boolean assured) {

    // family, l3 number, protocol, l4 number, seconds left, then a state only for stateful protocols.
    private static final Pattern HEAD =
            Pattern.compile("^(\\S+)\\s+\\d+\\s+(\\S+)\\s+\\d+\\s+\\d+\\s+(?:([A-Z_]+)\\s+)?src=");
    private static final Pattern DPORT = Pattern.compile("\\bdport=(\\d+)");

    public static Optional<ConntrackLine> parse(String line) {
        Matcher head = HEAD.matcher(line);
        if (!head.find()) {
            return Optional.empty();
        }
        Matcher dport = DPORT.matcher(line);
        return Optional.of(new ConntrackLine(head.group(1), head.group(2), Optional.ofNullable(head.group(3)),
                dport.find() ? Integer.parseInt(dport.group(1)) : -1,
                line.contains("[UNREPLIED]"), line.contains("[ASSURED]")));
    }

    public static List<ConntrackLine> parseAll(String table) {
        return table.lines().map(ConntrackLine::parse).flatMap(Optional::stream).toList();
    }
}
