package ctfleet.server.store;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The oldest raw sample each host stored since the rollup job last looked. A sample that arrives
 * late (an agent replaying its spool after an outage) lands in a minute that may already be rolled
 * up; this is how the job knows to roll that minute up again. Kept in memory: after a restart the
 * job resumes from each host's newest rollup, so only samples that were late AND arrived just
 * before a restart can be missed.
 */
public final class RollupBacklog implements SampleListener {
    private final ConcurrentHashMap<Long, Long> oldest = new ConcurrentHashMap<>();

    /** Called after the sample's commit, so a job that drained before this sees the row anyway. */
    public void stored(long hostRef, long ts) {
        oldest.merge(hostRef, ts, Math::min);
    }

    @Override
    public void stored(long hostRef, RawPoint p) {
        stored(hostRef, p.ts());
    }

    /** Imported history needs its minutes and hours rolled up like live samples. */
    @Override
    public void imported(long hostRef, long[] timestamps) {
        long min = Long.MAX_VALUE;
        for (long ts : timestamps) {
            min = Math.min(min, ts);
        }
        if (min != Long.MAX_VALUE) {
            stored(hostRef, min);
        }
    }

    /** Nothing to forget: an import says which minutes it touched ({@link #imported}). */
    @Override
    public void forget(long hostRef) {
    }

    /** The oldest timestamp still waiting to be rolled up; Long.MAX_VALUE when none is. */
    public long oldestPending() {
        long min = Long.MAX_VALUE;
        for (long ts : oldest.values()) {
            min = Math.min(min, ts);
        }
        return min;
    }

    /** Takes every noted host and its oldest timestamp, leaving the backlog empty. */
    Map<Long, Long> drain() {
        Map<Long, Long> out = new HashMap<>();
        for (Long host : oldest.keySet()) {
            Long ts = oldest.remove(host);
            if (ts != null) {
                out.put(host, ts);
            }
        }
        return out;
    }
}
