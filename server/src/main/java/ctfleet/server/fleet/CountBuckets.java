package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How much history the forecast reads, at what resolution, and the aggregation of raw points into
 * it.
 *
 * <p>At least the last day, whatever the window: the commonest shape of a NAT gateway's table is
 * its daily cycle, and only a day of data tells the morning's rise from growth (an hour of it
 * looks like +8 %/h). A longer window is read whole (a fortnight shows the weekly cycle). The
 * window itself still sets the rates and what "dropping now" looks at.
 *
 * <p>That context is read as 5-minute buckets up to two days (288 a day) and as hourly ones beyond:
 * a day of raw samples is 8,640 points per host, and what the forecast needs of them — each
 * stretch's average, its peak, how many samples, the limit, the boot — a bucket carries exactly (a
 * rollup row does too). A host with under an hour of data is read raw: a few buckets say nothing,
 * a few dozen samples do.
 */
public final class CountBuckets {
    public static final Duration MIN_CONTEXT = Duration.ofDays(2);
    public static final Duration RAW_BELOW = Duration.ofHours(1);
    public static final Duration BUCKET = Duration.ofMinutes(10);
    public static final Duration HOUR = Duration.ofHours(1);

    private CountBuckets() {}

    /** The history a forecast with this window reads. */
    public static Duration context(Duration window) {
        return window.compareTo(MIN_CONTEXT) < 0 ? MIN_CONTEXT : window;
    }

    /** The bucket width a context is read at. */
    public static Duration widthFor(Duration context) {
        return context.compareTo(Duration.ofDays(2)) <= 0 ? BUCKET : HOUR;
    }

    /** Whether a host whose data spans this long is read raw rather than in buckets. */
    public static boolean readRaw(Duration span) {
        return span.compareTo(RAW_BELOW) < 0;
    }

    /** A host's raw points over the context, as the forecast reads them. */
    public static List<CountPoint> forForecast(List<CountPoint> raw, Duration context) {
        if (raw.size() < 2 || readRaw(Duration.between(raw.get(0).ts(), raw.get(raw.size() - 1).ts()))) {
            return raw;
        }
        return aggregate(raw, widthFor(context));
    }

    /**
     * Raw points (oldest first) into buckets of {@code width} aligned on the epoch; each bucket's
     * time is its middle, or the newest sample's time when that is earlier (a bucket still filling).
     */
    public static List<CountPoint> aggregate(List<CountPoint> raw, Duration width) {
        long w = width.toMillis();
        List<CountPoint> out = new ArrayList<>(raw.size() / Math.max(1, (int) (w / 10_000)) + 1);
        long start = Long.MIN_VALUE;
        long sum = 0;
        int n = 0;
        long peak = 0;
        long max = 0;
        int boot = 0;
        long newest = 0;
        for (CountPoint p : raw) {
            long t = p.ts().toEpochMilli();
            long s = Math.floorDiv(t, w) * w;
            if (s != start && n > 0) {
                out.add(bucket(start, w, newest, sum, n, peak, max, boot));
                n = 0;
            }
            if (n == 0) {
                start = s;
                sum = 0;
                peak = Long.MIN_VALUE;
                max = 0;
            }
            sum += p.count() * (long) p.samples();
            n += p.samples();
            peak = Math.max(peak, p.peak());
            max = Math.max(max, p.max());
            boot = p.boot();
            newest = t;
        }
        if (n > 0) {
            out.add(bucket(start, w, newest, sum, n, peak, max, boot));
        }
        return out;
    }

    private static CountPoint bucket(long start, long w, long newest, long sum, int n, long peak, long max, int boot) {
        long mid = Math.min(start + w / 2, newest);
        return new CountPoint(Instant.ofEpochMilli(mid), Math.round((double) sum / n), max, peak, n, boot);
    }
}
