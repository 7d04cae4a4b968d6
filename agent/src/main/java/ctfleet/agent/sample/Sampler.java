package ctfleet.agent.sample;

import ctfleet.agent.procfs.ProcRoot;
import ctfleet.agent.procfs.StatTable;
import ctfleet.agent.procfs.StatTableParser;
import ctfleet.agent.procfs.SysctlReader;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/** One tick: reads a host's conntrack files under a {@link ProcRoot} into a {@link Reading}. */
public final class Sampler implements ReadingSource {
    private final ProcRoot root;
    private final SysctlReader sysctls;
    private final Clock clock;

    public Sampler(ProcRoot root, Clock clock) {
        this.root = root;
        this.sysctls = new SysctlReader(root);
        this.clock = clock;
    }

    @Override
    public Reading read() throws IOException {
        var ts = clock.instant();
        var limits = sysctls.limits();
        Optional<StatTable> stats = ProcRoot.readSmall(root.statTable()).map(StatTableParser::parse);
        var timeouts = sysctls.timeouts();
        String bootId = ProcRoot.readSmall(root.bootId()).map(String::trim).orElse("");
        return new Reading(ts, limits, stats, timeouts, bootId);
    }

    /** The kernel release, for the hello; empty when the root has none (a fixture copy). */
    public String kernel() throws IOException {
        return ProcRoot.readSmall(root.osRelease()).map(String::trim).orElse("");
    }
}
