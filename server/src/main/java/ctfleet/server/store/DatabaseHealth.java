package ctfleet.server.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Whether the database can do its job now, and why not. Every store failure passes through
 * {@link #failed}: the first one of a fault is logged with its cause (the {@code IOException} H2
 * wraps) and the later ones are only counted, so a full disk is one line in the log, not one per
 * commit; the first write that commits afterwards ends the fault and says so, with how long it
 * lasted.
 *
 * <p>A damaged file ({@link StoreFault.Kind#DAMAGED}) does not end by itself: from then on no
 * connection is handed out, so the server neither acknowledges samples into a file that needs
 * salvaging nor answers half of the queries.
 */
public final class DatabaseHealth {
    private static final Logger LOG = Logger.getLogger(DatabaseHealth.class.getName());

    private final Path dir;
    private final List<Consumer<Optional<StoreFault>>> listeners = new CopyOnWriteArrayList<>();
    private volatile StoreFault fault;
    private long sinceNanos;
    private long failures;

    public DatabaseHealth(Path dir) {
        this.dir = dir;
    }

    /** The fault now; empty when the database works. */
    public Optional<StoreFault> current() {
        return Optional.ofNullable(fault);
    }

    /** Told of every change: a fault, its end (empty). */
    public void onChange(Consumer<Optional<StoreFault>> listener) {
        listeners.add(listener);
    }

    /**
     * Records a failed store call and returns what to throw: a {@link StoreUnavailable} when it was
     * the database's fault, else a {@link StoreException} with the statement's own message (a bug, a
     * constraint: the caller handles it as a failed call).
     */
    public StoreException failed(SQLException e) {
        if (e instanceof Unusable u) {
            return new StoreUnavailable(u.fault(), null);
        }
        Optional<StoreFault> f = StoreFault.classify(e, dir);
        if (f.isEmpty()) {
            return new StoreException(e.getMessage(), e);
        }
        return new StoreUnavailable(record(f.get()), e);
    }

    /** The same for failures that are not SQLExceptions (H2 throws some unchecked ones). */
    public Optional<StoreFault> failed(Throwable t) {
        return StoreFault.classify(t, dir).map(this::record);
    }

    private StoreFault record(StoreFault f) {
        StoreFault now;
        boolean changed;
        synchronized (this) {
            failures++;
            // A damaged file outranks everything; otherwise the first cause stays (later errors
            // often only say "closed"), unless it was a bare "closed" and the cause shows up.
            changed = fault == null || (f.kind() == StoreFault.Kind.DAMAGED && fault.kind() != StoreFault.Kind.DAMAGED)
                    || (fault.kind() == StoreFault.Kind.CLOSED && f.kind() != StoreFault.Kind.CLOSED);
            if (changed) {
                if (fault == null) {
                    sinceNanos = System.nanoTime();
                    failures = 1;
                }
                fault = f;
            }
            now = fault;
        }
        if (changed) {
            LOG.warning("database unavailable: " + f.message()
                    + (f.cause().isEmpty() || f.message().contains(f.cause()) ? "" : " (" + f.cause() + ")")
                    + (f.healsByItself() ? "; agents keep their samples in their spools, and ingest resumes by itself"
                            + " once the database takes writes again" : ""));
            notifyListeners();
        }
        return now;
    }

    /** A write committed: a fault that heals by itself is over. */
    public void wrote() {
        if (fault == null) {
            return;
        }
        StoreFault ended;
        long seconds;
        long failed;
        synchronized (this) {
            if (fault == null || !fault.healsByItself()) {
                return;
            }
            ended = fault;
            fault = null;
            seconds = (System.nanoTime() - sinceNanos) / 1_000_000_000L;
            failed = failures;
        }
        LOG.info("database available again after " + seconds + " s (it was: " + ended.message() + "); "
                + failed + " store calls failed meanwhile");
        notifyListeners();
    }

    /** Refuses a connection to a damaged database. */
    void checkUsable() throws Unusable {
        StoreFault f = fault;
        if (f != null && !f.healsByItself()) {
            throw new Unusable(f);
        }
    }

    private void notifyListeners() {
        Optional<StoreFault> now = current();
        for (Consumer<Optional<StoreFault>> l : listeners) {
            l.accept(now);
        }
    }
}
