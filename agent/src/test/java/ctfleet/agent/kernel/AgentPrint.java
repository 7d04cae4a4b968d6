package ctfleet.agent.kernel;

import java.time.Duration;

import com.google.protobuf.TextFormat;

import ctfleet.proto.v1.Sample;

/**
 * Runs the agent once inside a namespace ({@code AgentMain --print}) and parses the Sample it
 * prints in protobuf text format, so kernel tests can assert on the agent's own view of the
 * namespace's table rather than on raw files.
 */
public final class AgentPrint {

    /** By name: the harness must compile before AgentMain grows a --print mode. */
    static final String AGENT_MAIN = "ctfleet.agent.AgentMain";

    private AgentPrint() {
    }

    public static Sample sample(Netns netns, String hostId) {
        CommandResult result = netns.execJava(Duration.ofSeconds(30), AGENT_MAIN,
                "--print", "--proc-root", "/proc", "--host-id", hostId);
        String text = result.stdoutOrThrow();
        try {
            return TextFormat.parse(text, Sample.class);
        } catch (TextFormat.ParseException e) {
            throw new IllegalStateException("agent printed something that is not a Sample: " + e.getMessage()
                    + "\n" + text, e);
        }
    }
}
