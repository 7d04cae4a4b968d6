package ctfleet.agent.sim;

import ctfleet.agent.AgentLoop;
import ctfleet.agent.ship.Backoff;
import ctfleet.agent.ship.Shipper;
import ctfleet.agent.ship.Spool;
import ctfleet.common.Version;
import ctfleet.proto.v1.Hello;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** One simulated gateway: a synthetic source driving the real agent pipeline over a shared channel. */
public final class SimulatedAgent implements AutoCloseable {
    static final String KERNEL = "6.18.0-ctfleet-sim";
    // Enough for hours of samples per simulated host without a server, small enough for a thousand hosts.
    static final long SPOOL_BYTES = 4L << 20;

    private final String hostId;
    private final AgentLoop loop;
    private final AutoCloseable pipeline;

    private SimulatedAgent(String hostId, AgentLoop loop, AutoCloseable pipeline) {
        this.hostId = hostId;
        this.loop = loop;
        this.pipeline = pipeline;
    }

    /**
     * The one place a simulated agent is wired, with the same parts and settings as {@code ctfleet agent}:
     * source, then {@link AgentLoop}, then {@link Shipper}. When the real agent gains a stage (the disk
     * spool), it goes in here and every simulated agent has it.
     *
     * @param channel shared by many agents; each still opens its own stream on it
     * @param clock   the simulated clock every sample is stamped with
     * @param tally   where the fleet counts sent and acknowledged samples and acknowledgement latency
     * @param log     the shipper's one-line complaints (stream ended, retrying)
     * @param timer   shared by every agent's shipper for reconnects and the spool's once-a-second sync
     * @param spoolDir this agent's own disk spool, as {@code --spool-dir}
     */
    public static SimulatedAgent create(Channel channel, SyntheticHost host, Clock clock, FleetTally tally,
            Consumer<String> log, ScheduledExecutorService timer, Path spoolDir) throws IOException {
        HostProfile p = host.profile();
        AckLedger ledger = new AckLedger(tally);
        Hello hello = Hello.newBuilder()
                .setHostId(p.hostId())
                .putAllLabels(p.labels())
                .setAgentVersion(Version.VERSION)
                .setKernel(KERNEL)
                .build();
        Spool spool = Spool.open(spoolDir, SPOOL_BYTES);
        Shipper shipper = new Shipper(ClientInterceptors.intercept(channel, new AckTap(ledger)), hello, spool, timer,
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, new SplittableRandom(p.hostId().hashCode())),
                msg -> log.accept(p.hostId() + ": " + msg), (seq, duplicate) -> { }).startSync();
        // A fresh spool numbers samples from 1 like the loop does, so the loop's number is the wire's.
        AgentLoop loop = new AgentLoop(new SyntheticSource(host, clock), sample -> {
            ledger.offered(sample.getSeq());
            shipper.offer(sample);
        }, e -> log.accept(p.hostId() + ": " + e.getMessage()));
        return new SimulatedAgent(p.hostId(), loop, () -> {
            shipper.close();
            spool.close();
        });
    }

    public String hostId() {
        return hostId;
    }

    /** Takes and ships one sample. */
    public void tick() {
        loop.tick();
    }

    /** Ends the stream; samples not yet acknowledged are abandoned (and counted as lost by the tally). */
    @Override
    public void close() throws Exception {
        pipeline.close();
    }
}
