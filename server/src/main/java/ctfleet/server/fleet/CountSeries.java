package ctfleet.server.fleet;

import java.time.Instant;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * Count points kept as parallel primitive arrays: what an in-memory tail hands the forecast on every
 * ranking call. A list of {@link CountPoint} objects spreads a host's two days over the heap and
 * costs two objects per point per call; the forecast reads these arrays straight
 * ({@link Observations}), and anyone else sees an ordinary immutable list of points.
 */
public final class CountSeries extends AbstractList<CountPoint> implements RandomAccess {
    private final long[] ts;
    private final long[] count;
    private final long[] max;
    private final long[] peak;
    private final int[] samples;
    private final int[] boot;
    private final int size;

    /** Takes the arrays as they are: the caller hands them over and never writes them again. */
    public CountSeries(long[] ts, long[] count, long[] max, long[] peak, int[] samples, int[] boot, int size) {
        this.ts = ts;
        this.count = count;
        this.max = max;
        this.peak = peak;
        this.samples = samples;
        this.boot = boot;
        this.size = size;
    }

    @Override
    public CountPoint get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return new CountPoint(Instant.ofEpochMilli(ts[i]), count[i], max[i], peak[i], samples[i], boot[i]);
    }

    @Override
    public int size() {
        return size;
    }

    long tsMillis(int i) {
        return ts[i];
    }

    long count(int i) {
        return count[i];
    }

    long max(int i) {
        return max[i];
    }

    long peak(int i) {
        return peak[i];
    }

    int boot(int i) {
        return boot[i];
    }
}
