package ctfleet.agent.procfs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a channel to its end on a helper thread, into a fixed ring of reused buffers, while the
 * caller consumes what is already read through {@link #read}: the bytes arrive in file order,
 * memory stays at the ring's size whatever the file's.
 *
 * <p>Why: on {@code /proc/net/nf_conntrack} the kernel's printing of entries (inside read(2)) is
 * most of a full scan's cost, and parsing the previous chunk meanwhile on another core hides the
 * parser's time behind the kernel's. seq_file returns at most one page per read(2) whatever the
 * request size, so a chunk gathers many reads before it is handed over: few hand-overs.
 *
 * <p>Used by one consumer thread. {@link #close} stops and joins the helper thread, also when the
 * consumer gives up early (a failing listener), so no thread outlives a scan.
 */
final class ReadAhead implements AutoCloseable {
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final BlockingQueue<ByteBuffer> free;
    // Room for every buffer and the END marker, so the helper never blocks on handing one over.
    private final BlockingQueue<ByteBuffer> filled;
    private final Thread thread;
    private IOException failure; // written before END is queued, read after it is taken
    private ByteBuffer current;
    private boolean ended;

    /** Starts reading {@code channel} at once into {@code ring}; the channel stays the caller's to close. */
    ReadAhead(FileChannel channel, ByteBuffer[] ring) {
        free = new ArrayBlockingQueue<>(ring.length);
        filled = new ArrayBlockingQueue<>(ring.length + 1);
        for (ByteBuffer b : ring) {
            free.add(b);
        }
        thread = new Thread(() -> fill(channel), "ctfleet-read-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    private void fill(FileChannel channel) {
        try {
            while (true) {
                ByteBuffer b = free.take();
                b.clear();
                int n = 0;
                while (b.hasRemaining() && (n = channel.read(b)) >= 0) {
                    // fill the whole chunk: procfs hands out a page per read
                }
                b.flip();
                if (b.hasRemaining()) {
                    filled.add(b);
                }
                if (n < 0) {
                    break;
                }
            }
        } catch (InterruptedException | java.nio.channels.ClosedByInterruptException stopped) {
            return; // close() before the end: nobody is waiting
        } catch (IOException e) {
            failure = e;
        }
        filled.add(END);
    }

    /**
     * Copies up to {@code len} of the next bytes into dst; returns how many, or -1 at the end of
     * the file. A read error of the helper thread is thrown here, after the bytes read before it.
     */
    int read(byte[] dst, int off, int len) throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (current != null) {
                free.add(current);
                current = null;
            }
            if (ended) {
                return -1;
            }
            ByteBuffer next;
            try {
                next = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading ahead");
            }
            if (next == END) {
                ended = true;
                if (failure != null) {
                    throw failure;
                }
                return -1;
            }
            current = next;
        }
        int n = Math.min(len, current.remaining());
        current.get(dst, off, n);
        return n;
    }

    /** Stops the helper thread (interrupting a read closes the channel) and waits for it to end. */
    @Override
    public void close() {
        thread.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
