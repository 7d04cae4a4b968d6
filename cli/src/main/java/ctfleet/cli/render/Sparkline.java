package ctfleet.cli.render;

import java.util.List;

/** Fill over time in one line of block characters: ▁ is empty, █ is full (fraction 0..1 of max). */
public final class Sparkline {
    private static final char[] BLOCKS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};

    private Sparkline() {}

    /** One character per value; values are fractions 0..1, NaN (no limit, a gap) is a space. */
    public static String of(List<Double> fractions) {
        StringBuilder sb = new StringBuilder(fractions.size());
        for (double f : fractions) {
            if (Double.isNaN(f)) {
                sb.append(' ');
            } else {
                int i = (int) Math.round(Math.max(0, Math.min(1, f)) * (BLOCKS.length - 1));
                sb.append(BLOCKS[i]);
            }
        }
        return sb.toString();
    }

    /** Down-samples to at most {@code width} characters by taking the maximum of each slice (peaks matter). */
    public static String of(List<Double> fractions, int width) {
        if (fractions.size() <= width) {
            return of(fractions);
        }
        Double[] out = new Double[width];
        for (int i = 0; i < width; i++) {
            int from = (int) ((long) i * fractions.size() / width);
            int to = (int) ((long) (i + 1) * fractions.size() / width);
            double m = Double.NaN;
            for (int k = from; k < to; k++) {
                double v = fractions.get(k);
                if (!Double.isNaN(v) && (Double.isNaN(m) || v > m)) {
                    m = v;
                }
            }
            out[i] = m;
        }
        return of(List.of(out));
    }
}
