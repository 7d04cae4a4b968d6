package ctfleet.server.store;

import java.util.List;

/**
 * The values a host's raw rows store for the counters their samples did not report. Pure: rows in,
 * values out; {@link CarriedCounters} reads and writes them.
 *
 * <p>Every reader of raw rows computes a counter's increase from one row to the next, and reads a
 * fall without a reboot as a 32-bit wrap. So an unreported counter takes the value of the nearest
 * row of the same boot that reported it, the earlier one first: the increase over the rows between
 * two reports is then exactly what those two reports say, 0 up to the carried row and all of it
 * after. Without an earlier report in its boot (a host's first samples, the first after a reboot)
 * it takes the next one's, so the first report adds no increase that no sample measured; with no
 * report in its boot at all, 0.
 */
final class CounterCarry {
    /** The counters raw rows keep, in column order; bit {@code 1 << i} of a mask is {@code NAMES[i]}. */
    static final String[] NAMES = {"drop", "early_drop", "insert_failed", "invalid"};
    static final int ALL = (1 << NAMES.length) - 1;

    private CounterCarry() {}

    /** The mask of the four counters {@code r} does not report. */
    static int missing(SampleRow r) {
        int mask = 0;
        for (int i = 0; i < NAMES.length; i++) {
            if (!r.stats().containsKey(NAMES[i])) {
                mask |= 1 << i;
            }
        }
        return mask;
    }

    /**
     * One stored row: its kernel boot (hash), the four counters as stored, and which of them were
     * carried. {@code values} is updated in place by {@link #resolve}.
     */
    record Row(long ts, int boot, long[] values, int carried) {}

    /**
     * Sets the carried counters of {@code rows} (oldest first, consecutive rows of one host) and
     * returns which rows changed.
     *
     * @param openStart rows of the first row's boot may precede {@code rows}: in that boot, a
     *                  counter carried before its first report here keeps its value (it came from
     *                  there and the rows here do not change it)
     */
    static boolean[] resolve(List<Row> rows, boolean openStart) {
        boolean[] changed = new boolean[rows.size()];
        for (int i = 0; i < NAMES.length; i++) {
            int bit = 1 << i;
            int segment = 0;
            while (segment < rows.size()) {
                int end = segment;
                while (end < rows.size() && rows.get(end).boot() == rows.get(segment).boot()) {
                    end++;
                }
                carry(rows, segment, end, i, bit, openStart && segment == 0, changed);
                segment = end;
            }
        }
        return changed;
    }

    /** One counter over rows [from, to) of one boot. */
    private static void carry(List<Row> rows, int from, int to, int i, int bit, boolean keepHead, boolean[] changed) {
        boolean reported = false;
        long last = 0;
        for (int k = from; k < to; k++) {
            Row r = rows.get(k);
            if ((r.carried() & bit) == 0) {
                if (!reported && !keepHead) {
                    fill(rows, from, k, i, bit, r.values()[i], changed); // no earlier report: the next one's
                }
                reported = true;
                last = r.values()[i];
            } else if (reported) {
                set(r, i, last, changed, k);
            }
        }
        if (!reported && !keepHead) {
            fill(rows, from, to, i, bit, 0, changed); // no report in the boot at all
        }
    }

    private static void fill(List<Row> rows, int from, int to, int i, int bit, long value, boolean[] changed) {
        for (int k = from; k < to; k++) {
            if ((rows.get(k).carried() & bit) != 0) {
                set(rows.get(k), i, value, changed, k);
            }
        }
    }

    private static void set(Row r, int i, long value, boolean[] changed, int k) {
        if (r.values()[i] != value) {
            r.values()[i] = value;
            changed[k] = true;
        }
    }
}
