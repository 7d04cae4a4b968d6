package ctfleet.server.fleet;

import java.time.Duration;
import java.util.List;

/**
 * How much history the forecast reads, at what resolution, and the aggregation of raw points into
 * it.
 *
 * <p>At least the last two days, whatever the window: the commonest shape of a NAT gateway's table
 * is its daily cycle, and only a day or more of data tells the morning's rise from growth (an hour
 * of it looks like +8 %/h). A longer window is read whole (a fortnight shows the weekly cycle). The
 * window itself still sets the rates and what "dropping now" looks at.
 *
 * <p>That context is read as 10-minute buckets up to two days (144 a day) and as hourly ones beyond:
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
    public static final Duration MINUTE = Duration.ofMinutes(1);
    /**
     * Samples at most this far apart, mostly, are read a minute at a time ({@link #perMinute}): halfway
     * between the commonest fast rates (10, 15, 30 s) and a minute, so neither a 30 s scrape a little
     * late nor a minute's sample a little early lands on the wrong side.
     */
    public static final Duration MINUTE_SAMPLES_BELOW = Duration.ofSeconds(45);

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
     * Raw samples taken more often than every {@link #MINUTE_SAMPLES_BELOW} (the agent's default is
     * every 10 s) as one point a minute, the newest sample kept as it is: samples seconds apart share
     * nearly all their entries, so six of them are not six times the evidence of one, and the
     * forecast's allowance for neighbours that move together (a lag-one autocorrelation, capped)
     * was made for a minute apart. A point a minute keeps each minute's average and its highest
     * sample, which is what the forecast reads. Points already a minute or more apart, buckets
     * among them, are returned as they are.
     */
    public static List<CountPoint> perMinute(List<CountPoint> raw) {
        int n = raw.size();
        if (n < 3) {
            return raw;
        }
        // Most steps short: the median spacing is below the threshold, gaps or not. Every host's
        // two days of buckets pass through here on each ranking, so they are read from the arrays
        // (no point objects) and the count stops once a majority of long steps has decided it.
        CountSeries series = raw instanceof CountSeries s ? s : null;
        long below = MINUTE_SAMPLES_BELOW.toMillis();
        int dense = 0;
        int sparse = 0;
        long prev = millis(raw, series, 0);
        for (int i = 1; i < n && 2 * sparse < n - 1; i++) {
            long t = millis(raw, series, i);
            if (t - prev <= below) {
                dense++;
            } else {
                sparse++;
            }
            prev = t;
        }
        if (2 * dense <= n - 1) {
            return raw;
        }
        List<CountPoint> minutes = aggregate(raw.subList(0, n - 1), MINUTE);
        List<CountPoint> out = new java.util.ArrayList<>(minutes.size() + 1);
        out.addAll(minutes);
        out.add(raw.get(n - 1));
        return out;
    }

    private static long millis(List<CountPoint> points, CountSeries series, int i) {
        return series != null ? series.tsMillis(i) : points.get(i).ts().toEpochMilli();
    }

    /**
     * Raw points (oldest first) into buckets of {@code width} aligned on the epoch; each bucket's
     * time is its middle, or the newest sample's time when that is earlier (a bucket still filling).
     */
    public static List<CountPoint> aggregate(List<CountPoint> raw, Duration width) {
        long w = width.toMillis();
        int room = raw.size();
        long[] ts = new long[room];
        long[] count = new long[room];
        long[] max = new long[room];
        long[] peak = new long[room];
        int[] samples = new int[room];
        int[] boots = new int[room];
        int k = -1;
        long start = Long.MIN_VALUE;
        long sum = 0;
        for (CountPoint p : raw) {
            long t = p.ts().toEpochMilli();
            long s = Math.floorDiv(t, w) * w;
            if (k < 0 || s != start) {
                if (k >= 0) {
                    count[k] = Math.round((double) sum / samples[k]);
                }
                k++;
                start = s;
                sum = 0;
                peak[k] = Long.MIN_VALUE;
            }
            sum += p.count() * (long) p.samples();
            samples[k] += p.samples();
            peak[k] = Math.max(peak[k], p.peak());
            max[k] = Math.max(max[k], p.max());
            boots[k] = p.boot();
            // The bucket's time is its middle, or its newest sample's when earlier (a bucket still filling).
            ts[k] = Math.min(s + w / 2, t);
        }
        if (k >= 0) {
            count[k] = Math.round((double) sum / samples[k]);
        }
        return new CountSeries(ts, count, max, peak, samples, boots, k + 1);
    }
}
