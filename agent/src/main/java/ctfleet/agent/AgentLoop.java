package ctfleet.agent;

import ctfleet.agent.sample.Reading;
import ctfleet.agent.sample.ReadingSource;
import ctfleet.agent.ship.SampleEncoder;
import ctfleet.proto.v1.Sample;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One host's pipeline, source to sink: each tick reads the source, encodes a sample and hands it to
 * the sink (the shipper, whose outbox numbers it: the outbox is the only source of sequence numbers).
 * The real agent and every simulated one run this same code, so the simulator exercises what ships.
 *
 * <p>Not thread-safe: one tick at a time (a periodic task of a scheduled executor qualifies).
 */
public final class AgentLoop {
    private final ReadingSource source;
    private final Sink sink;
    private final Consumer<IOException> failed;
    // Null until a sample was handed over: timeouts ride in this loop's first sample and in any sample
    // whose timeouts changed; the server keeps a host's last ones, so a new stream need not repeat them.
    private Map<String, Long> lastTimeouts;

    /** Where samples go: the shipper's outbox. It may fail (a full disk under the spool). */
    @FunctionalInterface
    public interface Sink {
        void accept(Sample sample) throws IOException;
    }

    /** @param failed told of a failed read or hand-over; that tick's sample is lost, nothing else */
    public AgentLoop(ReadingSource source, Sink sink, Consumer<IOException> failed) {
        this.source = source;
        this.sink = sink;
        this.failed = failed;
    }

    /** Reads, encodes and hands over one sample; a failed read is reported and skipped, never fatal. */
    public void tick() {
        Reading r;
        try {
            r = source.read();
        } catch (IOException e) {
            failed.accept(e);
            return;
        }
        boolean withTimeouts = lastTimeouts == null || !r.timeouts().equals(lastTimeouts);
        try {
            sink.accept(SampleEncoder.encode(r, withTimeouts));
        } catch (IOException e) {
            failed.accept(e);
            return;
        }
        lastTimeouts = r.timeouts();
    }

    /** Ticks every {@code every} on the calling thread until interrupted; missed ticks are not made up. */
    public void runEvery(Duration every) throws InterruptedException {
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            tick();
            next += every.toNanos();
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            } else {
                next = System.nanoTime();
            }
        }
    }
}
