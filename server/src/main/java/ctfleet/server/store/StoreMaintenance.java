package ctfleet.server.store;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The store's housekeeping on one background thread: roll up closed minutes, delete expired rows,
 * then compact the file. One thread, so the three never compete with each other, only with ingest.
 */
public final class StoreMaintenance implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StoreMaintenance.class.getName());
    /** Compaction time per run: at a 30 s period about 3% of one core at most. */
    public static final int COMPACT_MILLIS = 1000;

    private final Database db;
    private final RollupJob rollup;
    private final RetentionJob retention;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ctfleet-maintenance");
        t.setDaemon(true);
        return t;
    });

    public StoreMaintenance(Database db, RollupJob rollup, RetentionJob retention, Clock clock) {
        this.db = db;
        this.rollup = rollup;
        this.retention = retention;
        this.clock = clock;
    }

    public StoreMaintenance start(Duration every) {
        timer.scheduleWithFixedDelay(this::runLogged, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private final java.util.concurrent.atomic.AtomicBoolean soon = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A round as soon as the maintenance thread is free, coalescing repeated requests: imported
     * history becomes visible at every resolution (history over weeks, capacity) without waiting
     * for the next scheduled round.
     */
    public void soon() {
        if (soon.compareAndSet(false, true)) {
            try {
                timer.execute(() -> {
                    soon.set(false);
                    runLogged();
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                soon.set(false);
            }
        }
    }

    /** One round at {@code nowMillis}; throws what failed (the schedule logs and carries on). */
    public void runOnce(long nowMillis) throws java.sql.SQLException {
        rollup.run(nowMillis);
        retention.run(nowMillis);
        db.compact(COMPACT_MILLIS);
    }

    private void runLogged() {
        try {
            runOnce(clock.millis());
        } catch (Exception e) {
            LOG.log(Level.WARNING, "store maintenance failed, retrying next round: " + e.getMessage());
        }
    }

    /** Stops the schedule and waits for a running round, so the database closes after it. */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
            timer.shutdownNow();
        }
    }
}
