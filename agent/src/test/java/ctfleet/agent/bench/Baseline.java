package ctfleet.agent.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the baseline command the benches divide by, with its output thrown away. Reports wall time
 * and CPU time: on a shared machine the wall clock measures the neighbours, CPU time measures us.
 */
final class Baseline {

    /** Wall and CPU (user + system) nanoseconds of one run. */
    record Cost(long wall, long cpu) {
    }

    private Baseline() {
    }

    /**
     * Runs {@code command > /dev/null} under bash and reads the child's user and system time from
     * bash's {@code times} builtin (millisecond resolution, enough for runs of 100+ ms).
     */
    static Cost run(List<String> command) throws IOException, InterruptedException {
        StringBuilder quoted = new StringBuilder();
        for (String arg : command) {
            quoted.append('\'').append(arg.replace("'", "'\\''")).append("' ");
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", quoted + "> /dev/null && times")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        int rc = p.waitFor();
        long wall = System.nanoTime() - t0;
        if (rc != 0) {
            throw new IOException(command + " exited " + rc);
        }
        // times prints two lines: the shell's own user/sys, then its children's.
        String[] children = out.strip().split("\n")[1].trim().split("\\s+");
        return new Cost(wall, seconds(children[0]) + seconds(children[1]));
    }

    /** "1m2.345s" to nanoseconds. */
    private static long seconds(String t) {
        int m = t.indexOf('m');
        double s = Integer.parseInt(t.substring(0, m)) * 60 + Double.parseDouble(t.substring(m + 1, t.length() - 1));
        return (long) (s * 1e9);
    }

    static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
