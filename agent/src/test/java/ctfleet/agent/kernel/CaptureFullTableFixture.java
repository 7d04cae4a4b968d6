package ctfleet.agent.kernel;

import java.nio.file.Path;
import java.util.List;

/**
 * Makes the {@code proc/netns-full} fixture: a fresh namespace filled to nf_conntrack_max until
 * the kernel early-drops, captured with the first 200 entry lines. Not a test; run by hand as root:
 *
 * <pre>java -cp "$(cat cp.txt):agent/target/test-classes:agent/target/classes" \
 *     ctfleet.agent.kernel.CaptureFullTableFixture agent/src/test/resources/proc/netns-full</pre>
 */
public final class CaptureFullTableFixture {

    private CaptureFullTableFixture() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: CaptureFullTableFixture TARGET_DIR");
            System.exit(2);
        }
        Netns.deleteStale();
        try (Netns netns = Netns.create()) {
            FillResult fill = TableFiller.fill(netns, 1000);
            System.out.println(fill.format(FillResult.FILLED));
            List<Path> files = ProcCapture.capture(netns, Path.of(args[0]), 200);
            System.out.println("captured " + files.size() + " files into " + args[0]);
        }
    }
}
