package ctfleet.server.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a host must hold when its failover partner's load lands on it: the two counts together,
 * over the capacity window. An HA pair exists so that either gateway can carry both; a plan that
 * sizes each for its own peak turns the next failover into an outage.
 *
 * <pre>
 *   bins       = 10 minutes, or the coarser host's usual spacing of points (an hour for hourly rollups),
 *                in which both hosts reported, and in the bins either side of it (the newest: before it)
 *   sum(bin)   = mean_a + mean_b, no higher than the larger of the bins either side (the newest: before it)
 *   together   = max over bins sum(bin) + max(median over bins (peak_a − mean_a), same for b)
 *   trend      = {@link PeakTrend} of the bins' (mean_a + mean_b + excursion): growth only with ≥ 3 days
 * </pre>
 *
 * <p>Why the sum of the means and not of the peaks: in the bin where one host fails over, the one
 * that fell still shows its old peak and the one that rose already shows both, so a sum of peaks
 * counts the moved load twice; the means add up to what the two held, failover or not. A bin's
 * peak is above its mean by its burst, so the larger of the two hosts' typical bursts is added
 * back; a rare burst is the survivor's own peak, which its own plan already holds. Bins where one
 * host did not report (a failed gateway is often down, not empty) say nothing of the sum and are
 * skipped; the survivor's own count in them is its own plan's peak. So are the bins at the edge of
 * such a gap: the one that went silent mid-bin averaged only the minutes before, the other the
 * whole bin, and their sum would add a load from before the failover to one from after. With
 * sparse samples (an agent every 10 minutes) each bin is one sample per host taken at different
 * instants, and the same happens within a bin: a one-bin rise of the sum that the bins either
 * side do not confirm is that, not a load, so a bin's sum counts up to the larger of theirs.
 */
public record PairLoad(FailoverPairs.Partner found, long peak, PeakTrend trend) {
    static final long BIN_SECONDS = FailoverPairs.BIN_SECONDS;

    /** The partner's host id. */
    public String partner() {
        return found.host();
    }

    /** The pair's load at the horizon: its peak or its daily-peak line now, plus any growth. */
    long projected(double days) {
        double now = Math.max(peak, trend.hasTrend() ? trend.levelNow() : 0);
        return (long) Math.ceil(now + Math.max(0, growthPerDay()) * days);
    }

    /** The daily peaks' slope of the sum; 0 with under three days, or when it accelerates (no demand). */
    double growthPerDay() {
        return trend.hasTrend() && !trend.accelerating() ? trend.slopePerDay() : 0;
    }

    /**
     * Per host id in {@code fleet}, its pair's load; hosts without a partner, or whose partner has
     * no history in {@code fleet}, are absent.
     */
    public static Map<String, PairLoad> of(List<HostHistory> fleet, Map<String, FailoverPairs.Partner> partners,
            Instant now) {
        Map<String, HostHistory> byHost = new HashMap<>();
        fleet.forEach(h -> byHost.put(h.host(), h));
        Map<String, PairLoad> out = new HashMap<>();
        for (Map.Entry<String, FailoverPairs.Partner> e : partners.entrySet()) {
            HostHistory mine = byHost.get(e.getKey());
            HostHistory theirs = byHost.get(e.getValue().host());
            if (mine != null && theirs != null) {
                of(mine, theirs, e.getValue(), now).ifPresent(p -> out.put(e.getKey(), p));
            }
        }
        return out;
    }

    static Optional<PairLoad> of(HostHistory mine, HostHistory theirs, FailoverPairs.Partner found, Instant now) {
        long width = width(mine.points(), theirs.points());
        Map<Long, Bin> a = bins(mine.points(), width);
        Map<Long, Bin> b = bins(theirs.points(), width);
        long newest = Math.floorDiv(now.getEpochSecond(), width);
        List<Long> both = new ArrayList<>(); // the bins both reported in, and their two hosts' bins below
        List<Bin> as = new ArrayList<>();
        List<Bin> bs = new ArrayList<>();
        for (Map.Entry<Long, Bin> e : a.entrySet()) {
            long bin = e.getKey();
            Bin other = b.get(bin);
            boolean whole = a.containsKey(bin - 1) && b.containsKey(bin - 1)
                    && (bin >= newest || a.containsKey(bin + 1) && b.containsKey(bin + 1));
            if (other != null && whole) {
                both.add(e.getKey());
                as.add(e.getValue());
                bs.add(other);
            }
        }
        if (both.isEmpty()) {
            return Optional.empty();
        }
        double burst = Math.max(typicalBurst(as), typicalBurst(bs));
        double top = 0;
        List<CountPoint> sums = new ArrayList<>(both.size());
        for (int i = 0; i < both.size(); i++) {
            long bin = both.get(i);
            double level = sum(a, b, bin);
            // Sparse samples at different instants (an agent every 10 minutes, started apart) put the
            // one that fell before its fall and the one that rose after its rise in the same bin: a
            // sum counting the moved load twice, for one bin. A load held is held in the next bin too.
            double before = sum(a, b, bin - 1);
            double after = bin >= newest ? before : sum(a, b, bin + 1);
            level = Math.min(level, Math.max(before, after));
            top = Math.max(top, level);
            long together = Math.round(level + burst);
            // At the bin's first sample, not its start: a bin begun before the history would add a day.
            sums.add(new CountPoint(as.get(i).first(), Math.round(level), 0, together, 1, 0));
        }
        return Optional.of(new PairLoad(found, (long) Math.ceil(top + burst), PeakTrend.of(sums, now)));
    }

    private static double sum(Map<Long, Bin> a, Map<Long, Bin> b, long bin) {
        return a.get(bin).mean() + b.get(bin).mean();
    }

    /** A bin's sample-weighted mean count, its highest, and when its first point was. */
    private record Bin(double sum, double samples, long peak, Instant first) {
        double mean() {
            return sum / samples;
        }

        Bin plus(CountPoint p) {
            int n = Math.max(1, p.samples());
            return new Bin(sum + (double) p.count() * n, samples + n, Math.max(peak, Peaks.of(p)),
                    first == null || p.ts().isBefore(first) ? p.ts() : first);
        }
    }

    /** Oldest first, so the trend reads them in order. */
    private static TreeMap<Long, Bin> bins(List<CountPoint> points, long width) {
        TreeMap<Long, Bin> out = new TreeMap<>();
        for (CountPoint p : points) {
            out.merge(Math.floorDiv(p.ts().getEpochSecond(), width), new Bin(0, 0, 0, null).plus(p),
                    (had, one) -> had.plus(p));
        }
        return out;
    }

    /**
     * Ten minutes, or the coarser host's usual spacing of points in whole ten minutes (an hour for
     * hourly rollups): a bin must hold a point of each whenever both reported.
     */
    private static long width(List<CountPoint> a, List<CountPoint> b) {
        long gap = Math.max(medianGap(a), medianGap(b));
        return Math.max(1, (gap + BIN_SECONDS - 1) / BIN_SECONDS) * BIN_SECONDS;
    }

    private static long medianGap(List<CountPoint> points) {
        if (points.size() < 2) {
            return 0;
        }
        double[] gaps = new double[points.size() - 1];
        for (int i = 1; i < points.size(); i++) {
            gaps[i - 1] = points.get(i).ts().getEpochSecond() - points.get(i - 1).ts().getEpochSecond();
        }
        return (long) Medians.median(gaps, gaps.length);
    }

    /** The median of peak − mean over the bins: a bin's usual burst. */
    private static double typicalBurst(List<Bin> bins) {
        double[] d = new double[bins.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0, bins.get(i).peak() - bins.get(i).mean());
        }
        return Medians.median(d, d.length);
    }
}
