package ctfleet.server.fleet;

import java.util.List;

/**
 * Steps up, one after another: customers moved over in batches, peers taken out of a pool one at a
 * time. Each step alone is a new level and no slope ({@link Regimes}), so after each one the host
 * reads "stepped up, flat since" and the next step comes as a surprise; yet the steps together are
 * the host's trend, and a host two steps from max is nearer to full than its flat level says.
 *
 * <p>A staircase is at least {@link #MIN_STEPS} regime starts at which the fitted level jumps up by
 * {@link #JUMP_SCALES} noise scales and {@link #MIN_JUMP} of max, with no such jump down after the
 * first of them; its slope is the rise from the level before the first step to the level now over
 * the time since, known to half its size. It gets {@link FillForecaster#STAIR_SHARE} of the weight:
 * the next step may come, or the move may be done. A rise after a drop counts only for how far it
 * goes above the level before the drop: the load coming back (a failover and back, a drain) is no
 * step, and the demo's survivor, its own load back in the morning and its partner's landing now,
 * read "2 steps up since 05:54" (p_full 0.49) at a flat 81 % holding both.
 *
 * @param steps  how many steps up
 * @param since  seconds since the first of them
 * @param slope  fill per day
 */
record Staircase(int steps, double since, double slope) {
    static final int MIN_STEPS = 2;
    static final double MIN_JUMP = 0.03;
    static final double JUMP_SCALES = 4;
    /** A staircase whose first step is younger than this is too short to tell from one step told twice. */
    static final double MIN_SECONDS = 2 * 3600;

    /** @return the staircase, or null when the regimes are not one */
    static Staircase find(Observations o, List<Regimes.Start> regimes, double[] fitted, double level, double scale) {
        double bar = Math.max(MIN_JUMP, JUMP_SCALES * scale);
        int steps = 0;
        int first = -1;
        double base = Double.NaN;
        // The level before a drop, until the count is back up to it: a rise that only gets back there
        // is the load returning (a failover and back, a drain), not a step of a staircase.
        double beforeDrop = Double.NaN;
        for (Regimes.Start r : regimes) {
            int from = r.from();
            if (from == 0) {
                continue;
            }
            double jump = fitted[from] - fitted[from - 1];
            if (jump >= bar) {
                double floor = Double.isNaN(beforeDrop) ? fitted[from - 1] : beforeDrop;
                if (fitted[from] - floor < bar) {
                    if (fitted[from] >= floor) {
                        beforeDrop = Double.NaN;
                    }
                    continue;
                }
                beforeDrop = Double.NaN;
                steps++;
                if (first < 0) {
                    first = from;
                    base = floor;
                }
            } else if (jump <= -bar) {
                if (first >= 0) {
                    return null; // down again: a failover and back, not a staircase
                }
                beforeDrop = Double.isNaN(beforeDrop) ? fitted[from - 1] : beforeDrop;
            }
        }
        if (steps < MIN_STEPS) {
            return null;
        }
        double since = -o.x[first] * Observations.DAY;
        double rise = level - base;
        if (since < MIN_SECONDS || rise <= 0) {
            return null;
        }
        return new Staircase(steps, since, rise / (since / Observations.DAY));
    }
}
