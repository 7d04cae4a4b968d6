package ctfleet.server.store;

import java.util.List;

/**
 * Learns what the writers committed ({@link SampleWriter}, {@link ImportWriter}): the in-memory views
 * of recent history ({@link RecentRaw}, {@link RecentBuckets}) extend themselves from it instead of
 * reading the database again, and the rollup job's {@link RollupBacklog} learns which minutes to redo.
 * Called after the commit, on the writer's thread.
 */
public interface SampleListener {
    /** A committed, newly stored sample of a host. */
    void stored(long hostRef, RawPoint p);

    /** The host's rows changed in a way appends do not describe (an import): read it again next time. */
    void forget(long hostRef);

    /** Rows of a host were imported at these times, anywhere in its history: by default, forget it. */
    default void imported(long hostRef, long[] timestamps) {
        forget(hostRef);
    }

    /** Tells every one of {@code listeners}, in order. */
    static SampleListener all(SampleListener... listeners) {
        List<SampleListener> list = List.of(listeners);
        return new SampleListener() {
            @Override
            public void stored(long hostRef, RawPoint p) {
                for (SampleListener l : list) {
                    l.stored(hostRef, p);
                }
            }

            @Override
            public void forget(long hostRef) {
                for (SampleListener l : list) {
                    l.forget(hostRef);
                }
            }

            @Override
            public void imported(long hostRef, long[] timestamps) {
                for (SampleListener l : list) {
                    l.imported(hostRef, timestamps);
                }
            }
        };
    }
}
