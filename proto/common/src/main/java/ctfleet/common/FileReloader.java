package ctfleet.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls {@code reload} whenever any of a few files changes on disk (modification time, size or
 * inode), polling every {@code period}.
 *
 * <p>Why our own poller: grpc-java's AdvancedTls managers reload on their own, but refuse a period
 * under one minute, which makes a certificate rotation untestable in a unit test. A failed reload
 * (say the new certificate was written before its key) keeps the old credentials, is reported once
 * per distinct file state, and is retried at the next poll.
 */
public final class FileReloader implements AutoCloseable {
    /** A reload that may fail; the old credentials stay in force when it does. */
    public interface Reload {
        void run() throws Exception;
    }

    private static final ScheduledExecutorService POLLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ctfleet-file-reloader");
        t.setDaemon(true);
        return t;
    });

    private final List<Path> files;
    private final Reload reload;
    private final Consumer<String> log;
    private List<Object> loaded;
    private List<Object> failed;
    private final ScheduledFuture<?> task;

    private FileReloader(List<Path> files, Reload reload, Consumer<String> log, Duration period) {
        this.files = List.copyOf(files);
        this.reload = reload;
        this.log = log;
        this.loaded = stamps();
        long ms = Math.max(1, period.toMillis());
        this.task = POLLER.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Loads once now (a failure here is the caller's error, thrown) and then watches the files.
     */
    public static FileReloader start(List<Path> files, Duration period, Consumer<String> log, Reload reload)
            throws Exception {
        reload.run();
        return new FileReloader(files, reload, log, period);
    }

    private synchronized void poll() {
        List<Object> now = stamps();
        if (now.equals(loaded) || now.equals(failed)) {
            return;
        }
        try {
            reload.run();
            loaded = now;
            failed = null;
            log.accept("reloaded " + files);
        } catch (Exception e) {
            failed = now;
            log.accept("reloading " + files + " failed, keeping the previous credentials: " + e.getMessage());
        }
    }

    private List<Object> stamps() {
        List<Object> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey())));
            } catch (IOException e) {
                out.add("missing");
            }
        }
        return out;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
