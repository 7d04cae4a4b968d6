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
        timer.scheduleWithFixedDelay(this::probeWhileUnavailable, PROBE_MILLIS, PROBE_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** How often a database that stopped taking writes is tried again, when nothing else writes. */
    static final long PROBE_MILLIS = 5_000;

    private void probeWhileUnavailable() {
        if (db.health().current().map(StoreFault::healsByItself).orElse(false)) {
            try {
                db.probe(clock.millis());
            } catch (Exception e) {
                // still unavailable: DatabaseHealth logged it the first time
            }
        }
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
        if (db.health().current().isPresent()) {
            return; // rollups and compaction wait for a database that takes writes; the probe finds out
        }
        try {
            runOnce(clock.millis());
        } catch (Exception e) {
            if (db.health().failed(e).isEmpty()) {
                LOG.log(Level.WARNING, "store maintenance failed, retrying next round: " + e.getMessage());
            }
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
