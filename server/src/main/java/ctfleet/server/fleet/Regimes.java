package ctfleet.server.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the host's current behaviour began. A failover, a new tenant or a lost one moves its level
 * in minutes and it then stays there. A line through such a step reads it as a steep slope and a
 * residual far above the fit; the forecast must instead see a new level and fit only what came
 * after it. (A reboot is not such a change: the table refills to what demand keeps open, so
 * {@link FillForecaster} leaves the refill out instead.)
 *
 * <p>Changes are found by binary segmentation on the newest part: the split of [from, n) into two independent
 * lines that most reduces the residual sum of squares is kept when the reduction stands out of
 * the noise, and the search goes on to the right of it (only the newest regime is forecast), at
 * most {@link #MAX_SPLITS} times. A split also catches a change of slope (growth that began at
 * 09:10), which is what "fit only since the last change" needs too.
 *
 * <p>The test: {@code Λ = (RSS_line − RSS_split) / (s² κ)} with {@code s² = RSS_split / (N − 4)}
 * and {@code κ = (1+ρ)/(1−ρ)} for the lag-1 autocorrelation ρ of the split model's residuals
 * (neighbouring counts share most of their entries, so N points carry far fewer than N
 * independent errors). Under no change, the largest Λ over the N candidate splits grows like
 * 2 ln N; a split counts when Λ ≥ {@link #THRESHOLD_PER_LOG_N}·ln N + {@link #THRESHOLD_BASE}.
 * Each side keeps at least {@link #MIN_POINTS} points (or 4 % of the window), so a burst of a
 * few points is an excursion, not a regime.
 */
final class Regimes {
    static final int MAX_SPLITS = 3;
    static final int MIN_POINTS = 5;
    static final double MIN_SHARE = 0.04;
    static final double THRESHOLD_PER_LOG_N = 3;
    static final double THRESHOLD_BASE = 8;

    enum Kind { START, STEP, CHANGE }

    /** A step is at least this big (fill), ... */
    static final double STEP_MIN = 0.08;
    /** ... and at least this many robust standard deviations of the step statistic over the window. */
    static final double STEP_SIGMAS = 6;
    /** The medians compared on either side of a step cover this long, and at least 3 points. */
    static final double STEP_SIDE_SECONDS = 600;
    static final double EDGE_FACTOR = 1.5;

    /** A regime starts at point {@code from}, for the reason {@code kind}. */
    record Start(int from, Kind kind) {}

    private Regimes() {}

    /**
     * The regimes of the window, oldest first; the last one is the current behaviour.
     *
     * @param z the de-seasoned values in fill units
     * @param w weights (0 for points left out of fits)
     */
    static List<Start> find(Observations o, double[] z, double[] w) {
        return find(o, z, w, List.of(new Start(0, Kind.START)));
    }

    /** The regimes within and after the given ones (steps found first, say). */
    static List<Start> find(Observations o, double[] z, double[] w, List<Start> given) {
        List<Start> starts = new ArrayList<>(given);
        int from = starts.get(starts.size() - 1).from();
        Prefix p = new Prefix(o.x, z, w);
        for (int s = 0; s < MAX_SPLITS; s++) {
            int k = bestSplit(o, z, w, p, from, o.n);
            if (k < 0) {
                break;
            }
            starts.add(new Start(k, Kind.CHANGE));
            from = k;
        }
        return starts;
    }

    /**
     * Abrupt level shifts: where the median of the points just after differs from the median of
     * the points just before by at least {@link #STEP_MIN} of max and {@link #STEP_SIGMAS} robust
     * standard deviations of that same difference over the window, more than the trend through
     * the next pair of medians out explains, keeping the largest within each side's reach. Medians
     * over ten minutes each side (at least 3 points): noise and a burst shorter than a side move a
     * median little, a daily wave or steady growth moves the outer pair three times as far as the
     * inner one, while a failover moves both pairs the whole way. Found on the counts themselves,
     * before any cycle is fitted: a sine through a day-long window otherwise bends to absorb the
     * step. Within two sides of either end of the window there is no outer pair: there the inner
     * difference alone must clear {@link #EDGE_FACTOR} times the bar. A jump the host also made at
     * this time the day (or week) before or after is its routine ({@link Recurrence}), not a shift.
     */
    static List<Start> steps(Observations o, double[] w) {
        // Indexes of the points in use, fixed before settle() leaves transition points out.
        int n = o.n;
        int[] idx = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (w[i] > 0) {
                idx[m++] = i;
            }
        }
        List<Start> out = new ArrayList<>();
        out.add(new Start(0, Kind.START));
        int side = Math.max(3, (int) Math.round(STEP_SIDE_SECONDS / Math.max(1, o.spacing)));
        if (m < 2 * side + 1) {
            return out;
        }
        double[] jump = new double[m];
        double[] med = sideMedians(o.y, idx, m, side);
        for (int k = side; k + side <= m; k++) {
            double inner = med[k] - med[k - side];
            if (k < 2 * side || k + 2 * side > m) {
                // Near either end there is no outer pair: the inner jump alone, held to a higher bar below.
                jump[k] = inner / EDGE_FACTOR;
                continue;
            }
            double outer = med[k + side] - med[k - 2 * side];
            // A ramp moves the outer medians three times as far apart as the inner ones; a step moves
            // both pairs alike. What the outer pair's spread does not explain is abrupt.
            jump[k] = (3 * inner - outer) / 2;
        }
        // The statistic's own spread over the window: counts that wander (neighbouring samples share
        // most of their entries) move these medians far more than the spread around a running median says.
        double[] all = java.util.Arrays.copyOfRange(jump, side, m - side + 1);
        double sigma = Medians.madInPlace(all, all.length);
        double threshold = Math.max(STEP_MIN, STEP_SIGMAS * sigma);
        Recurrence routine = null;
        int opened = openedByRaise(o, idx, m);
        for (int k = side; k + side <= m; k++) {
            double a = Math.abs(jump[k]);
            if (a < threshold || opened >= 0 && Math.abs(k - opened) < side) {
                continue;
            }
            boolean peak = true;
            for (int j = Math.max(side, k - side); j <= Math.min(m - side, k + side) && peak; j++) {
                double b = Math.abs(jump[j]);
                peak = j == k || b < a || (b == a && j > k);
            }
            if (peak && !persists(med, k, side, m)) {
                continue; // a burst: up and back down within a side's reach
            }
            if (peak) {
                if (routine == null) {
                    routine = Recurrence.of(o, w.clone()); // before settle() leaves points out
                }
                double inner = med[k] - med[k - side];
                double from = (o.x[idx[k - side]] + o.x[idx[k - 1]]) / 2;
                double to = (o.x[idx[k]] + o.x[idx[k + side - 1]]) / 2;
                if (routine.recurs(from, to, inner)) {
                    continue; // it did the same at this time the day before or after: its routine
                }
                int at = settle(o, w, idx, k, side, sigma, med);
                if (at > out.get(out.size() - 1).from()) {
                    out.add(new Start(at, Kind.STEP));
                }
            }
        }
        return out;
    }

    /**
     * Where in {@code idx} (the points in use) a raise of max let out a table the kernel had held at
     * the old max, while the points since are too few to carry a slope of their own; else -1. The
     * medians either side compare demand before the clamp with demand after it: that is no step
     * seen, and read as one, it would start a regime with no slope, which forgets that demand was
     * growing into the clamp. Until the points since can tell their own trend, the line through
     * both sides is the best guess of it; after that a step found there is the new regime.
     */
    private static int openedByRaise(Observations o, int[] idx, int m) {
        int raised = o.raisedOffMax();
        if (raised < 0) {
            return -1;
        }
        int k = 0;
        while (k < m && idx[k] < raised) {
            k++;
        }
        return m - k < TrendFit.MIN_SLOPE_POINTS ? k : -1;
    }

    /**
     * Whether both levels of a step at k hold: the median of the next side out is still past the
     * middle of the step, and the one before the previous side still short of it. A burst as long
     * as a side is up and back down within that reach, and seen from its far edge it is the
     * "before" that does not hold. Near either end of the window there is nothing further to check.
     */
    private static boolean persists(double[] med, int k, int side, int m) {
        if (k + 2 * side > m || k < 2 * side) {
            return true;
        }
        double before = med[k - side];
        double after = med[k];
        double further = med[k + side];
        double earlier = med[k - 2 * side];
        double mid = (before + after) / 2;
        double sign = Math.signum(after - before);
        return sign * (further - mid) > 0 && sign * (earlier - mid) < 0;
    }

    /**
     * Where a step found near {@code idx[k]} really lands, and the points caught halfway (a bucket
     * holding samples of both levels, a failover's ramp), which are left out of the fits (weight
     * 0): they belong to neither level, and a bucket that still holds the old level's peak would
     * otherwise look like a burst of the new one. The new level starts at the first point past
     * the middle of the step whose successor is past it too.
     *
     * @param sigma the robust spread of the step statistic over the window: how far a point of
     *              either level strays by noise alone
     */
    private static int settle(Observations o, double[] w, int[] idx, int k, int side, double sigma, double[] med) {
        double before = med[k - side];
        double after = med[k];
        double mid = (before + after) / 2;
        double sign = Math.signum(after - before);
        int start = k;
        for (int j = k - side; j < k + side; j++) {
            boolean past = sign * (o.y[idx[j]] - mid) > 0;
            boolean nextPast = j + 1 >= k + side || sign * (o.y[idx[j + 1]] - mid) > 0;
            if (past && nextPast) {
                start = j;
                break;
            }
        }
        double step = Math.abs(after - before);
        // A point that holds both levels (a bucket across the step, a failover's ramp) belongs to
        // neither; one whose peak has already, or still, moved a tenth of the way to the other would
        // read as a burst (a quarter of the way let through the bucket whose last seconds caught the
        // ramp's start, which samples every 10 s catch often). On a quiet host less than a tenth
        // already stands out: a bucket with one minute of ten at the old level is a tenth of the way
        // exactly, and kept, it is a regime change of its own to the search that follows.
        double off = Math.min(0.1 * step, Math.max(sigma, Excursions.MIN_SCALE));
        for (int j = Math.max(0, start - 2); j <= Math.min(idx.length - 1, start + 1) && j < k + side; j++) {
            int i = idx[j];
            double level = j < start ? before : after;
            if (Math.abs(o.y[i] - level) > off || o.peak[i] - level > 0.1 * step) {
                w[i] = 0;
            }
        }
        return idx[start];
    }

    /**
     * The median of each run of {@code side} points in use, by the index of its first: the step
     * statistic and its checks read four of them at every point, each one four times over.
     */
    private static double[] sideMedians(double[] y, int[] idx, int m, int side) {
        double[] med = new double[m - side + 1];
        double[] buf = new double[side];
        for (int from = 0; from + side <= m; from++) {
            for (int j = 0; j < side; j++) {
                buf[j] = y[idx[from + j]];
            }
            med[from] = TrendFit.Noise.median(buf, side);
        }
        return med;
    }

    /** The significant split of [lo, hi), or -1. */
    private static int bestSplit(Observations o, double[] z, double[] w, Prefix p, int lo, int hi) {
        int count = 0;
        for (int i = lo; i < hi; i++) {
            if (w[i] > 0) {
                count++;
            }
        }
        int m = Math.max(MIN_POINTS, (int) Math.round(MIN_SHARE * count));
        if (count < 2 * m + 2) {
            return -1;
        }
        double one = p.rss(lo, hi);
        double best = Double.POSITIVE_INFINITY;
        int bestK = -1;
        int left = 0;
        for (int k = lo + 1; k < hi; k++) {
            if (w[k - 1] > 0) {
                left++;
            }
            if (left < m || count - left < m) {
                continue;
            }
            double split = p.rss(lo, k) + p.rss(k, hi);
            if (split < best) {
                best = split;
                bestK = k;
            }
        }
        if (bestK < 0 || !(one > best)) {
            return -1;
        }
        // Counts are whole entries and buckets average them: never believe less noise than that.
        double s2 = Math.max(best / Math.max(1, count - 4), Excursions.MIN_SCALE * Excursions.MIN_SCALE);
        double kappa = inflation(o, z, w, p, lo, bestK, hi);
        double lambda = (one - best) / (s2 * kappa);
        return lambda >= THRESHOLD_PER_LOG_N * Math.log(count) + THRESHOLD_BASE ? bestK : -1;
    }

    /** (1+ρ)/(1−ρ) for the lag-1 autocorrelation of the two-line residuals, ρ clamped to [0, 0.95]. */
    private static double inflation(Observations o, double[] z, double[] w, Prefix p, int lo, int k, int hi) {
        double[] left = p.line(lo, k);
        double[] right = p.line(k, hi);
        double num = 0;
        double den = 0;
        double prev = Double.NaN;
        for (int i = lo; i < hi; i++) {
            if (w[i] <= 0) {
                continue;
            }
            double[] line = i < k ? left : right;
            double r = z[i] - line[0] - line[1] * o.x[i];
            den += r * r;
            if (!Double.isNaN(prev) && !o.gapBefore(i) && i != k) {
                num += r * prev;
            }
            prev = r;
        }
        return TrendFit.Noise.inflation(num, den);
    }

    /** Prefix sums of w, wx, wx², wz, wxz, wz²: any range's line fit and its RSS in constant time. */
    static final class Prefix {
        private final double[] w;
        private final double[] wx;
        private final double[] wxx;
        private final double[] wz;
        private final double[] wxz;
        private final double[] wzz;

        Prefix(double[] x, double[] z, double[] weight) {
            int n = x.length;
            w = new double[n + 1];
            wx = new double[n + 1];
            wxx = new double[n + 1];
            wz = new double[n + 1];
            wxz = new double[n + 1];
            wzz = new double[n + 1];
            for (int i = 0; i < n; i++) {
                double wi = weight[i];
                double xi = x[i];
                double zi = z[i];
                w[i + 1] = w[i] + wi;
                wx[i + 1] = wx[i] + wi * xi;
                wxx[i + 1] = wxx[i] + wi * xi * xi;
                wz[i + 1] = wz[i] + wi * zi;
                wxz[i + 1] = wxz[i] + wi * xi * zi;
                wzz[i + 1] = wzz[i] + wi * zi * zi;
            }
        }

        /** Residual sum of squares of the weighted line through [lo, hi). */
        double rss(int lo, int hi) {
            double s0 = w[hi] - w[lo];
            if (s0 <= 0) {
                return 0;
            }
            double s1 = wx[hi] - wx[lo];
            double sy = wz[hi] - wz[lo];
            double sxx = wxx[hi] - wxx[lo] - s1 * s1 / s0;
            double sxy = wxz[hi] - wxz[lo] - s1 * sy / s0;
            double syy = wzz[hi] - wzz[lo] - sy * sy / s0;
            double rss = sxx > 1e-18 ? syy - sxy * sxy / sxx : syy;
            return Math.max(0, rss);
        }

        /** {intercept at x = 0, slope} of the weighted line through [lo, hi). */
        double[] line(int lo, int hi) {
            double s0 = w[hi] - w[lo];
            if (s0 <= 0) {
                return new double[] {0, 0};
            }
            double s1 = wx[hi] - wx[lo];
            double sy = wz[hi] - wz[lo];
            double sxx = wxx[hi] - wxx[lo] - s1 * s1 / s0;
            double sxy = wxz[hi] - wxz[lo] - s1 * sy / s0;
            double slope = sxx > 1e-18 ? sxy / sxx : 0;
            return new double[] {(sy - slope * s1) / s0, slope};
        }
    }
}
