package ctfleet.server.query;

import ctfleet.server.store.DatabaseHealth;
import ctfleet.server.store.StoreException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Keeps the hosts' in-memory tails read ahead of the calls that need them. Without it the first
 * Top or scrape after a start, after an import (which drops the imported hosts' tails) or after
 * a tail's periodic re-read pays for the database reads: seconds at 1,000 hosts, enough for a
 * scrape with a short timeout to fail. One background thread reads what is missing at start and
 * then every {@code every}; a round that finds everything in memory costs one pass over the
 * hosts. A call that comes while a host is being read waits for that read instead of repeating it.
 * The first round that finds hosts also ranks them once, so the forecaster is compiled before a
 * person's first Top needs it.
 */
public final class TailReadAhead implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TailReadAhead.class.getName());

    private final FleetQueries queries;
    private final DatabaseHealth health;
    private final CompletableFuture<Long> first = new CompletableFuture<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ctfleet-read-ahead");
        t.setDaemon(true);
        return t;
    });
    private boolean failing;
    private boolean ranked;

    public TailReadAhead(FleetQueries queries, DatabaseHealth health) {
        this.queries = queries;
        this.health = health;
    }

    public TailReadAhead start(Duration every) {
        timer.scheduleWithFixedDelay(this::round, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Completes with the number of tails the first round that ran read (or its failure). */
    public CompletableFuture<Long> first() {
        return first;
    }

    private void round() {
        if (health.current().isPresent()) {
            return; // calls say what is wrong meanwhile, and the maintenance probe finds out when it heals
        }
        long started = System.nanoTime();
        try {
            long read = queries.warmUp();
            if (!first.isDone()) {
                LOG.info(String.format(Locale.ROOT, "read %d host tails into memory in %.1f s", read,
                        (System.nanoTime() - started) / 1e9));
            }
            if (read > 0 && !ranked) {
                // Once per process, when there is a fleet to rank: the forecaster's code is compiled
                // here rather than on a person's first Top (about a second at 1,000 hosts).
                queries.top(TopQuery.defaults());
                ranked = true;
            }
            first.complete(read);
            failing = false;
        } catch (Exception e) {
            first.completeExceptionally(e);
            // A store fault (H2 throws some unchecked) is the database health's to record and say,
            // once; anything else is said once per streak. Not fatal either way: a call reads what
            // is missing itself.
            boolean storeFault = e instanceof StoreException || health.failed(e).isPresent();
            if (!storeFault && !failing) {
                LOG.warning("reading the hosts' tails ahead failed, will retry: " + e);
            }
            failing = !storeFault;
        }
    }

    /**
     * Lets a round under way finish (seconds at most) rather than interrupting it: an interrupt in
     * the middle of a read closes the database file's channel under everyone else.
     */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(60, TimeUnit.SECONDS);
    }
}
