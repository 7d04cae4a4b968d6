package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A jump of the count to a new level that has held: traffic failed over to the host, a tenant
 * moved in, a client started a flood. A line through it reads one step as a slope and extrapolates
 * it for 30 days (60k → 120k in a few seconds became a 9 TB plan); it is not growth.
 *
 * <p>A step between two consecutive points at most {@link #MAX_GAP} apart (within one sample, or
 * within one rollup bucket) counts when, with W = the time since the step, at least 30 minutes and
 * at most 6 hours:
 * <ul>
 *   <li>the count had at least {@link #MIN_BEFORE} of history before it, so there was a level to
 *       leave;</li>
 *   <li>every count since it, up to W, is above every count in the W before it by a threshold
 *       of 30 % of the highest count before it (and 2 % of max): the table moved to another level
 *       and stayed there, where a daily crest, a burst that falls back and a steep but smooth rise
 *       all overlap their own recent past;</li>
 *   <li>the median count in the W after it is above everything before it by that threshold: a new
 *       level, not the return to an old one after a reboot or a dip;</li>
 *   <li>this one step made at least half of the way from the count before it to that median.</li>
 * </ul>
 * Of several, the largest step. Counts are each point's peak ({@link Peaks}): a step inside a rollup
 * bucket shows in its highest sample before its average. A step less than {@link #MIN_HELD} old is {@link #fresh()}: too soon
 * to tell a new level from a burst, but already no slope to draw a line through.
 *
 * @param from    the count just before the step
 * @param to      the count just after it
 * @param level   the median count in the W after it
 * @param took    the time between the two points
 * @param held    how long it has been since the step
 */
public record LevelShift(Instant at, Duration took, long from, long to, long level, Duration held) {
    static final Duration MAX_GAP = Duration.ofMinutes(65);
    static final Duration MIN_BEFORE = Duration.ofHours(1);
    static final Duration MIN_HELD = Duration.ofMinutes(30);
    static final Duration WINDOW = Duration.ofHours(6);

    /** Less than {@link #MIN_HELD} old: a jump that may yet fall back. */
    public boolean fresh() {
        return held.compareTo(MIN_HELD) < 0;
    }

    static Optional<LevelShift> find(List<CountPoint> points, long max) {
        int n = points.size();
        if (n < 4) {
            return Optional.empty();
        }
        long[] peakBefore = new long[n]; // peakBefore[i]: the highest count of points 0 .. i-1
        for (int i = 1; i < n; i++) {
            peakBefore[i] = Math.max(peakBefore[i - 1], Peaks.of(points.get(i - 1)));
        }
        Instant first = points.get(0).ts();
        Instant last = points.get(n - 1).ts();
        LevelShift best = null;
        for (int i = 1; i < n; i++) {
            CountPoint prev = points.get(i - 1);
            CountPoint cur = points.get(i);
            long rise = Peaks.of(cur) - Peaks.of(prev);
            long threshold = Math.max(Math.round(0.3 * peakBefore[i]), max > 0 ? Math.round(0.02 * max) : 1);
            Duration held = Duration.between(cur.ts(), last);
            // Cheap rejections first: the windows below are the costly part and rarely needed.
            if (rise <= 0 || 2 * rise < threshold || (best != null && rise <= best.to() - best.from())
                    || Duration.between(prev.ts(), cur.ts()).compareTo(MAX_GAP) > 0
                    || Duration.between(first, prev.ts()).compareTo(MIN_BEFORE) < 0) {
                continue;
            }
            Duration w = held.compareTo(WINDOW) < 0 ? held : WINDOW;
            Duration wBefore = w.compareTo(MIN_HELD) < 0 ? MIN_HELD : w;
            long beforeMax = 0;
            for (int k = i - 1; k >= 0 && !points.get(k).ts().isBefore(prev.ts().minus(wBefore)); k--) {
                beforeMax = Math.max(beforeMax, Peaks.of(points.get(k)));
            }
            int end = i;
            while (end + 1 < n && !points.get(end + 1).ts().isAfter(cur.ts().plus(w))) {
                end++;
            }
            long[] after = new long[end - i + 1];
            for (int k = i; k <= end; k++) {
                after[k - i] = Peaks.of(points.get(k));
            }
            Arrays.sort(after);
            long level = after[after.length / 2];
            if (after[0] < beforeMax + threshold || level < peakBefore[i] + threshold
                    || 2 * rise < level - Peaks.of(prev)) {
                continue;
            }
            best = new LevelShift(cur.ts(), Duration.between(prev.ts(), cur.ts()), Peaks.of(prev), Peaks.of(cur), level,
                    held);
        }
        return Optional.ofNullable(best);
    }
}
