package ctfleet.server.store;

import java.util.List;

/**
 * Learns what {@link SampleStore} committed: the in-memory views of recent history ({@link RecentRaw},
 * {@link RecentBuckets}) extend themselves from it instead of reading the database again.
 */
public interface SampleListener {
    /** A committed, newly stored live sample of a host. */
    void stored(long hostRef, RawPoint p);

    /** The host's rows changed in a way appends do not describe (an import): read it again next time. */
    void forget(long hostRef);

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
        };
    }
}
