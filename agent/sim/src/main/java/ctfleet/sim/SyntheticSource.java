package ctfleet.sim;

import ctfleet.agent.sample.Reading;
import ctfleet.agent.sample.ReadingSource;
import java.time.Clock;

/** A {@link SyntheticHost} read at its clock's now: what the simulator plugs in instead of /proc. */
public final class SyntheticSource implements ReadingSource {
    private final SyntheticHost host;
    private final Clock clock;

    public SyntheticSource(SyntheticHost host, Clock clock) {
        this.host = host;
        this.clock = clock;
    }

    @Override
    public Reading read() {
        return host.readingAt(clock.instant());
    }
}
