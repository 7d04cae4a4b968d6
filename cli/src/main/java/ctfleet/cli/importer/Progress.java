package ctfleet.cli.importer;

import ctfleet.cli.render.Format;
import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The import's progress on stderr: on a terminal one line rewritten in place with {@code \r}; in a
 * log (CI, a pipe) a plain line every few seconds, so the log stays readable.
 */
public final class Progress {
    /** What has been done so far. */
    public record Snapshot(int hostsDone, int hosts, long samples, int queriesDone, int queries, long elapsedNanos) {}

    private static final long TERMINAL_EVERY = 250_000_000L;
    private static final long LOG_EVERY = 5_000_000_000L;

    private final PrintStream err;
    private final boolean terminal;
    private final LongSupplier nanos;
    private long lastPrinted;
    private boolean printedOnTerminal;

    public Progress(PrintStream err, boolean terminal, LongSupplier nanos) {
        this.err = err;
        this.terminal = terminal;
        this.nanos = nanos;
        this.lastPrinted = nanos.getAsLong();
    }

    public synchronized void update(Snapshot s) {
        long now = nanos.getAsLong();
        if (now - lastPrinted < (terminal ? TERMINAL_EVERY : LOG_EVERY)) {
            return;
        }
        lastPrinted = now;
        if (terminal) {
            // Pad so a shorter line fully covers the previous one.
            err.print("\r" + String.format("%-78s", line(s)));
            printedOnTerminal = true;
        } else {
            err.println(line(s));
        }
        err.flush();
    }

    /** Ends the rewritten line so the summary starts on a fresh one. */
    public synchronized void finish() {
        if (printedOnTerminal) {
            err.print("\r" + " ".repeat(78) + "\r");
            err.flush();
        }
    }

    static String line(Snapshot s) {
        double secs = s.elapsedNanos() / 1e9;
        String rate = secs > 0 ? String.format("%,.0f samples/s", s.samples() / secs) : "-";
        String eta = s.queriesDone() == 0 ? "?"
                : Format.human(secs * (s.queries() - s.queriesDone()) / s.queriesDone());
        return String.format("import: hosts %d/%d, %,d samples, %s, ETA %s", s.hostsDone(), s.hosts(), s.samples(),
                rate, eta);
    }
}
