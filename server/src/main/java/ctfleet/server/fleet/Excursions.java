package ctfleet.server.fleet;

/**
 * How often the table rises how far above its trend: what turns a level below max into a chance
 * of touching it. A table overflows at its peaks, so this is measured on each point's peak (a
 * bucket's highest sample) against the fitted trend.
 *
 * <p>Two parts, both rates of episodes per second of rising above a gap {@code u} (in units of
 * the excursions' robust scale at the current level):
 * <ul>
 *   <li><b>Noise</b>, by Rice's formula for a Gaussian process:
 *       {@code ν(u) = ν0 · exp(−(u − m)² / 2s²)} for {@code u > m}, where m and s are the median and
 *       1.4826 · MAD of the excursions and ν0 is how often they were seen to cross their median
 *       (counted, not assumed: neighbouring counts share most of their entries, so the crossings
 *       are far rarer than the samples).
 *   <li><b>Bursts</b>: episodes that rose beyond {@code m + 4.5 s}, which Gaussian noise almost
 *       never does (connection storms, a retry wave, a batch job; a clamped point at max is one).
 *       Their rate is how many were seen per second of window, and their heights beyond that
 *       threshold an exponential tail whose mean excess is the observed one shrunk towards s
 *       (as if two more bursts of excess s had been seen). Within the heights seen, a height is
 *       reached with the share of the k bursts that reached it, out of k + 1 (or the tail's chance,
 *       if more); beyond the highest, with 1/(k+1) times the tail's further decay.
 * </ul>
 *
 * <p>Noise that grows with the level: excursions are normalised by {@code g(level) =
 * (level / level_now)^γ} before either part is fitted, and scaled back at the level the forecast
 * reaches. γ is the log-ratio of the residual spreads of the upper and lower halves of the fitted
 * levels over the log-ratio of those levels, clamped to [0, 1.5], when the window's levels span a
 * factor of 1.25 or more; otherwise {@link #PRIOR_GAMMA} (between constant noise and noise
 * proportional to the count).
 *
 * <p>The Gaussian's tail is believed only as far as the data allow: when it says the window
 * should have risen above its highest unclamped excursion H more than {@link #CEILING_DOUBT}
 * times and it never did, the noise is bounded rather than Gaussian (a batch job that opens the
 * same number of flows every hour, a count flapping between two levels). Beyond H its rate is
 * then once per window, decaying with the mean excess of the {@link #TOP} highest excursions
 * over the {@link #TOP}th (at least a tenth of the scale): "peaks up to 82 % every hour for two
 * days" is no 97 % chance of 100 % tomorrow, which a bell fitted to a two-humped spread said.
 * Bursts alike: with {@link #TOP} or more, one beyond the highest decays with the spread of the
 * highest ones, not with their mean excess over the threshold (48 bursts of one height say the
 * next stops there too). Neither applies when the newer half of the window peaks higher than the
 * older by more than twice that spread and {@link #MIN_CLIMB}: peaks that climb are a trend the
 * fit missed.
 *
 * <p>Only points whose fitted level is within {@link #LEVEL_REACH} of the level now are read (all
 * of them when fewer than {@link #MIN_NEAR} are): a host drained to 5 % for maintenance shows
 * blips of a few points there, and scaled up seventeen-fold in level they became storms that
 * reach max from 85 %. Far below, a handful of flows moves the count as much as thousands do at
 * the top; what the table does near where it stands now is the evidence.
 */
final class Excursions {
    static final double BURST_SIGMAS = 4.5;
    static final double PRIOR_GAMMA = 0.5;
    static final double PRIOR_BURSTS = 2;
    /** The smallest scale believed, fill units: a count quantised to whole entries still moves a little. */
    static final double MIN_SCALE = 0.0005;
    static final double MIN_LEVEL = 0.05;
    /** Points fitted below the level now divided by this are not read, ... */
    static final double LEVEL_REACH = 4;
    /** ... unless fewer than this many are left. */
    static final int MIN_NEAR = 16;
    /** Predicted rises above the highest excursion seen, in the window, that doubt the Gaussian. */
    static final double CEILING_DOUBT = 3;
    /** How many of the highest excursions give the tail's decay beyond the highest. */
    static final int TOP = 10;
    /**
     * Peaks of the newer half must top the older's by at least this (fill) to be a climb. Bursts of
     * one height differ by their spread alone, which can be a tenth of a point, and a fit tilted a
     * little by where the window cuts the batches moves one half by as much: compared with that
     * alone, a job's alert came and went with its phase. Under a point between the halves (a day
     * apart) is no trend at the horizons ranked.
     */
    static final double MIN_CLIMB = 0.01;

    final double center;
    final double scale;
    final double upcrossRate;
    final double burstRate;
    final double burstThreshold;
    final double burstMeanExcess;
    final int bursts;
    /** Each burst's highest normalised excursion, ascending. */
    private final double[] burstPeaks;
    /** The highest normalised excursion of a burst, or NaN without one. */
    final double highestBurst;
    /**
     * Where the highest burst was: the index of its highest point, and of its first and last point
     * above the threshold (-1 without a burst), so a reason can say what history shows.
     */
    final int highestAt;
    final int highestFrom;
    final int highestTo;
    final double gamma;
    final double refLevel;
    /**
     * The highest excursion seen, beyond which the noise is bounded by the data; +∞ when the
     * Gaussian tail was not in doubt (or a point was clamped, so how high it went is unknown).
     */
    final double ceiling;
    /** Beyond {@link #ceiling}: once per window, decaying over this (normalised units). */
    final double ceilingRate;
    final double ceilingDecay;
    /**
     * How a burst beyond the highest seen decays: the mean excess over the threshold, or with
     * {@link #TOP} bursts or more the mean excess of the highest ones over the {@link #TOP}th.
     */
    private final double beyondDecay;

    private Excursions(double center, double scale, double upcrossRate, double burstRate, double burstThreshold,
            double burstMeanExcess, int bursts, double[] burstPeaks, double highestBurst, int highestAt,
            int highestFrom, int highestTo, double gamma, double refLevel, double ceiling, double ceilingRate,
            double ceilingDecay, double beyondDecay) {
        this.beyondDecay = beyondDecay;
        this.ceiling = ceiling;
        this.ceilingRate = ceilingRate;
        this.ceilingDecay = ceilingDecay;
        this.burstPeaks = burstPeaks;
        this.highestAt = highestAt;
        this.highestFrom = highestFrom;
        this.highestTo = highestTo;
        this.center = center;
        this.scale = scale;
        this.upcrossRate = upcrossRate;
        this.burstRate = burstRate;
        this.burstThreshold = burstThreshold;
        this.burstMeanExcess = burstMeanExcess;
        this.bursts = bursts;
        this.highestBurst = highestBurst;
        this.gamma = gamma;
        this.refLevel = refLevel;
    }

    /**
     * @param w        which points were fitted (clamped points are not, but their peaks count here)
     * @param refLevel the trend's level now, fill units
     */
    static Excursions of(Observations o, double[] w, double[] fitted, double refLevel) {
        return of(o, w, fitted, refLevel, gamma(o, w, fitted));
    }

    /** @param gamma {@link #gamma} of the same points and fit, when the caller has it already */
    static Excursions of(Observations o, double[] w, double[] fitted, double refLevel, double gamma) {
        int n = o.n;
        double ref = Math.max(MIN_LEVEL, refLevel);
        int near = 0;
        for (int i = 0; i < n; i++) {
            near += w[i] > 0 && fitted[i] * LEVEL_REACH >= ref ? 1 : 0;
        }
        double floor = near >= MIN_NEAR ? ref / LEVEL_REACH : Double.NEGATIVE_INFINITY;
        double[] e = new double[n];
        double[] fittedOnly = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            e[i] = (o.peak[i] - fitted[i]) / g(fitted[i], ref, gamma);
            if (w[i] > 0 && fitted[i] >= floor) {
                fittedOnly[m++] = e[i];
            }
        }
        double[] work = java.util.Arrays.copyOf(fittedOnly, m);
        double center = m == 0 ? 0 : TrendFit.Noise.median(work, m);
        double scale = Math.max(MIN_SCALE, Medians.madAbout(fittedOnly, m, center, work));
        double span = o.spanSeconds();
        int crossings = 0;
        double threshold = center + BURST_SIGMAS * scale;
        int bursts = 0;
        double[] peaks = new double[8];
        double excess = 0;
        double highest = Double.NaN;
        double runPeak = Double.NaN;
        int runFrom = -1;
        int runAt = -1;
        int highestAt = -1;
        int highestFrom = -1;
        int highestTo = -1;
        int read = 0;
        int skipped = 0;
        boolean clamped = false;
        // The highest excursion and burst of each half of the window: peaks that climb from one
        // half to the next are a trend the fit missed (a slow growth under a batch's swings), no
        // ceiling.
        double mid = n == 0 ? 0 : (o.x[0] + o.x[n - 1]) / 2;
        double[] halfHigh = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] halfBurst = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] top = new double[TOP];
        java.util.Arrays.fill(top, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            boolean counted = (w[i] > 0 || o.censored[i]) && fitted[i] >= floor;
            if (!counted) {
                skipped += w[i] > 0 || o.censored[i] ? 1 : 0;
                continue;
            }
            read++;
            clamped |= o.censored[i];
            int half = o.x[i] < mid ? 0 : 1;
            halfHigh[half] = Math.max(halfHigh[half], e[i]);
            if (e[i] > top[TOP - 1]) {
                int at = TOP - 1;
                while (at > 0 && top[at - 1] < e[i]) {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = e[i];
            }
            if (i > 0 && !o.gapBefore(i) && e[i - 1] < center && e[i] >= center) {
                crossings++;
            }
            if (e[i] >= threshold) {
                if (Double.isNaN(runPeak)) {
                    runFrom = i;
                }
                if (Double.isNaN(runPeak) || e[i] > runPeak) {
                    runPeak = e[i];
                    runAt = i;
                }
            }
            boolean runEnds = !Double.isNaN(runPeak) && (i == n - 1 || e[i + 1] < threshold || o.gapBefore(i + 1));
            if (runEnds) {
                if (bursts == peaks.length) {
                    peaks = java.util.Arrays.copyOf(peaks, 2 * bursts);
                }
                peaks[bursts] = runPeak;
                bursts++;
                int when = o.x[runAt] < mid ? 0 : 1;
                halfBurst[when] = Math.max(halfBurst[when], runPeak);
                excess += runPeak - threshold;
                if (Double.isNaN(highest) || runPeak > highest) {
                    highest = runPeak;
                    highestAt = runAt;
                    highestFrom = runFrom;
                    highestTo = i;
                }
                runPeak = Double.NaN;
            }
        }
        // Rates per second of the time read: the share of the window's points that were.
        span *= skipped == 0 ? 1 : (double) read / (read + skipped);
        double upcross;
        if (span > 0) {
            upcross = Math.max(1, crossings) / span;
        } else {
            upcross = o.spacing > 0 ? 1 / (4 * o.spacing) : 1 / 40.0;
        }
        double burstRate = span > 0 ? bursts / span : 0;
        // A couple of bursts say little about how far the next may go: their mean excess is shrunk
        // towards the noise scale as if two more bursts of that excess had been seen.
        double meanExcess = (excess + PRIOR_BURSTS * scale) / (bursts + PRIOR_BURSTS);
        peaks = java.util.Arrays.copyOf(peaks, bursts);
        java.util.Arrays.sort(peaks);
        double ceiling = Double.POSITIVE_INFINITY;
        double ceilingRate = 0;
        double decay = 0;
        if (!clamped && read > TOP && span > 0 && upcross * span * gauss(top[0], center, scale) > CEILING_DOUBT) {
            decay = spread(top, scale);
            if (halfHigh[1] - halfHigh[0] <= Math.max(2 * decay, MIN_CLIMB)) {
                ceiling = top[0];
                ceilingRate = 1 / span;
            }
        }
        double beyond = meanExcess;
        if (bursts >= TOP) {
            double[] highestBursts = new double[TOP];
            for (int k = 0; k < TOP; k++) {
                highestBursts[k] = peaks[bursts - 1 - k];
            }
            double spread = spread(highestBursts, scale);
            beyond = halfBurst[1] - halfBurst[0] <= Math.max(2 * spread, MIN_CLIMB) ? spread : meanExcess;
        }
        return new Excursions(center, scale, upcross, burstRate, threshold, meanExcess, bursts, peaks, highest,
                highestAt, highestFrom, highestTo, gamma, ref, ceiling, ceilingRate, decay, beyond);
    }

    /**
     * How the highest values spread: the mean excess of the {@link #TOP} − 1 highest over the
     * {@link #TOP}th ({@code highest} descending), at least a tenth of the scale (a count
     * quantised to whole entries, or peaks of one height, would otherwise say "never higher").
     */
    private static double spread(double[] highest, double scale) {
        double sum = 0;
        for (int k = 0; k < TOP - 1; k++) {
            sum += highest[k] - highest[TOP - 1];
        }
        return Math.max(sum / (TOP - 1), scale / 10);
    }

    /** Rice's bell: the share of the median crossings that also rise above u. */
    private static double gauss(double u, double center, double scale) {
        if (u <= center) {
            return 1;
        }
        double z = (u - center) / scale;
        return z > 40 ? 0 : Math.exp(-0.5 * z * z);
    }

    /** Excursion episodes per second that reach {@code gap} above a trend standing at {@code level}. */
    double rate(double gap, double level) {
        double u = gap / g(level, refLevel, gamma);
        double noise = upcrossRate * gauss(u, center, scale);
        if (u > ceiling) {
            noise = Math.min(noise, ceilingRate * Math.exp(-(u - ceiling) / ceilingDecay));
        }
        if (burstRate == 0) {
            return noise;
        }
        double burst;
        if (u <= burstThreshold) {
            burst = burstRate;
        } else if (u <= highestBurst) {
            // Within what was seen: the share of bursts that rose this far, as if one more fell short,
            // or the exponential tail where that says more.
            int reached = bursts - lowerBound(burstPeaks, u);
            burst = burstRate * Math.max((double) reached / (bursts + 1),
                    Math.exp(-(u - burstThreshold) / burstMeanExcess));
        } else {
            // Beyond the highest burst seen: the next of k exchangeable bursts tops them all with
            // chance 1/(k+1), and by how much decays as the highest ones spread (batches that open
            // the same flows every time stop at one height, and their mean excess over the
            // threshold says nothing of a higher one).
            burst = burstRate / (bursts + 1) * Math.exp(-(u - highestBurst) / beyondDecay);
        }
        return noise + burst;
    }

    /**
     * The first index of a sorted array whose value is at least v. Without a branch on the
     * comparison (it picks the next base, a conditional move): the outlook asks at every grid step
     * of every draw, and a search that branches mispredicts half its steps there.
     */
    static int lowerBound(double[] a, double v) {
        int n = a.length;
        if (n == 0) {
            return 0;
        }
        int base = 0;
        while (n > 1) {
            int half = n >>> 1;
            base = a[base + half] < v ? base + half : base;
            n -= half;
        }
        return base + (a[base] < v ? 1 : 0);
    }

    /** The typical rise of a peak above the trend at this level, fill units (for a reason's "±"). */
    double typical(double level) {
        return Math.min(center + 2 * scale, ceiling) * g(level, refLevel, gamma);
    }

    /** The largest excursion the rates allow at all, fill units: beyond it, the rate is below 1e-12 per second. */
    double reach(double level) {
        double u = center + 8 * scale;
        if (u > ceiling) {
            u = Math.max(ceiling + ceilingDecay * Math.log(Math.max(1, ceilingRate * 1e12)), center);
        }
        if (burstRate > 0) {
            double log = Math.log(Math.max(1, burstRate * 1e12));
            // Within the heights seen the rate is at least the highest's share; beyond, it decays.
            u = Math.max(u, highestBurst + beyondDecay * log);
        }
        return u * g(level, refLevel, gamma);
    }

    private static double g(double level, double ref, double gamma) {
        double ratio = Math.max(MIN_LEVEL, level) / ref;
        // Most hosts keep the prior's square root, asked at every grid step of every draw of the
        // outlook: sqrt is a fraction of pow's cost, and it is what pow's own algorithm returns for
        // an exponent of 0.5 (fdlibm's special case; the same bits here).
        return gamma == 0 ? 1 : gamma == 0.5 ? Math.sqrt(ratio) : Math.pow(ratio, gamma);
    }

    static double gamma(Observations o, double[] w, double[] fitted) {
        int m = 0;
        double lowest = Double.POSITIVE_INFINITY;
        double highest = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < o.n; i++) {
            if (w[i] > 0) {
                m++;
                lowest = Math.min(lowest, fitted[i]);
                highest = Math.max(highest, fitted[i]);
            }
        }
        // The halves' levels cannot differ by 1.25 when the extremes do not: most hosts stop here,
        // before anything is allocated.
        if (m < 16 || Math.max(MIN_LEVEL, highest) / Math.max(MIN_LEVEL, lowest) < 1.25) {
            return PRIOR_GAMMA;
        }
        double[] f = new double[m];
        for (int i = 0, k = 0; i < o.n; i++) {
            if (w[i] > 0) {
                f[k++] = fitted[i];
            }
        }
        double cut = TrendFit.Noise.median(f, m);
        double[] lo = new double[m];
        double[] hi = new double[m];
        double[] loLevel = new double[m];
        double[] hiLevel = new double[m];
        int nl = 0;
        int nh = 0;
        for (int i = 0; i < o.n; i++) {
            if (w[i] <= 0) {
                continue;
            }
            if (fitted[i] < cut) {
                loLevel[nl] = fitted[i];
                lo[nl++] = o.y[i] - fitted[i];
            } else {
                hiLevel[nh] = fitted[i];
                hi[nh++] = o.y[i] - fitted[i];
            }
        }
        if (nl < 8 || nh < 8) {
            return PRIOR_GAMMA;
        }
        double levelLo = Math.max(MIN_LEVEL, TrendFit.Noise.median(loLevel, nl));
        double levelHi = Math.max(MIN_LEVEL, TrendFit.Noise.median(hiLevel, nh));
        if (levelHi / levelLo < 1.25) {
            return PRIOR_GAMMA;
        }
        double sLo = Medians.madInPlace(lo, nl);
        double sHi = Medians.madInPlace(hi, nh);
        if (!(sLo > 0 && sHi > 0)) {
            return PRIOR_GAMMA;
        }
        return Math.max(0, Math.min(1.5, Math.log(sHi / sLo) / Math.log(levelHi / levelLo)));
    }
}
