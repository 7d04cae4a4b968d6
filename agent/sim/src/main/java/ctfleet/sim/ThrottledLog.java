package ctfleet.sim;

import java.util.function.Consumer;

/**
 * At most one line per period: when the server goes away, a thousand simulated agents each say so,
 * and one line with a count of the rest is what a person can read.
 */
public final class ThrottledLog implements Consumer<String> {
    private final Consumer<String> out;
    private final long periodNanos;
    private long lastNanos;
    private boolean printedAny;
    private long suppressed;

    public ThrottledLog(Consumer<String> out, java.time.Duration period) {
        this.out = out;
        this.periodNanos = period.toNanos();
    }

    @Override
    public synchronized void accept(String line) {
        long now = System.nanoTime();
        if (printedAny && now - lastNanos < periodNanos) {
            suppressed++;
            return;
        }
        out.accept(suppressed == 0 ? line : line + " (and " + suppressed + " more messages)");
        printedAny = true;
        lastNanos = now;
        suppressed = 0;
    }
}
