package ctfleet.server.ingest;

import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.StoreUnavailable;
import ctfleet.server.store.WriteOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One writer thread that commits samples in batches (group commit): whatever queued while the
 * previous commit ran goes into the next one, so an idle server commits each sample at once and a
 * busy one amortises a commit over hundreds. Callbacks run only after the commit returned, which is
 * what makes an acknowledgement mean "stored".
 */
public final class IngestBatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IngestBatcher.class.getName());
    private static final int MAX_BATCH = 1000;

    /** {@code done} gets the outcome, or the error when the commit failed. */
    public record Job(SampleWrite write, BiConsumer<WriteOutcome, Throwable> done) {}

    private final SampleWriter store;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    public IngestBatcher(SampleWriter store) {
        this.store = store;
        this.writer = new Thread(this::run, "ctfleet-ingest");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public void submit(Job job) {
        if (!running) {
            job.done().accept(null, new IllegalStateException("server is shutting down"));
            return;
        }
        queue.add(job);
    }

    public int queued() {
        return queue.size();
    }

    private void run() {
        List<Job> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Job> batch) {
        List<SampleWrite> writes = new ArrayList<>(batch.size());
        for (Job j : batch) {
            writes.add(j.write());
        }
        List<WriteOutcome> outcomes;
        try {
            outcomes = store.write(writes);
        } catch (Exception e) {
            if (!(e instanceof StoreUnavailable)) {
                // a store fault is logged once by DatabaseHealth, not once per commit
                LOG.log(Level.WARNING, "commit of " + batch.size() + " samples failed: " + e.getMessage());
            }
            for (Job j : batch) {
                j.done().accept(null, e);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().accept(outcomes.get(i), null);
        }
    }

    /** Commits what is queued, then stops. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        writer.join(10_000);
    }
}
