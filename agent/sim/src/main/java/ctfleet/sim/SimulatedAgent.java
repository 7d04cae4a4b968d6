package ctfleet.sim;

import ctfleet.agent.AgentLoop;
import ctfleet.agent.ship.Backoff;
import ctfleet.agent.ship.Shipper;
import ctfleet.agent.ship.MemoryOutbox;
import ctfleet.agent.ship.Outbox;
import ctfleet.common.Version;
import ctfleet.proto.v1.Hello;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** One simulated gateway: a synthetic source driving the real agent pipeline over a shared channel. */
public final class SimulatedAgent implements AutoCloseable {
    static final String KERNEL = "6.18.0-ctfleet-sim";
    // Hours of samples per simulated host without a server, small enough for a thousand hosts.
    static final int OUTBOX_SAMPLES = 20_000;

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
     * source, then {@link AgentLoop}, then {@link Shipper} with its outbox (in memory here, see below).
     *
     * @param channel shared by many agents; each still opens its own stream on it
     * @param clock   the simulated clock every sample is stamped with
     * @param tally   where the fleet counts sent and acknowledged samples and acknowledgement latency
     * @param log     the shipper's one-line complaints (stream ended, retrying)
     * @param timer   shared by every agent's shipper for reconnects
     */
    public static SimulatedAgent create(Channel channel, SyntheticHost host, Clock clock, FleetTally tally,
            Consumer<String> log, ScheduledExecutorService timer) {
        HostProfile p = host.profile();
        AckLedger ledger = new AckLedger(tally);
        Hello hello = Hello.newBuilder()
                .setHostId(p.hostId())
                .putAllLabels(p.labels())
                .setAgentVersion(Version.VERSION)
                .setKernel(KERNEL)
                .build();
        // The agent's outbox, in memory: a thousand simulated agents sharing one disk would measure
        // that disk's fsync rate (a thousand a second), not ctfleet; on a gateway each has its own.
        Outbox spool = new MemoryOutbox(OUTBOX_SAMPLES);
        Shipper shipper = new Shipper(ClientInterceptors.intercept(channel, new AckTap(ledger)), hello, spool, timer,
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, new SplittableRandom(p.hostId().hashCode())),
                msg -> log.accept(p.hostId() + ": " + msg), (seq, duplicate) -> { });
        // The outbox numbers each sample; the ledger notes its hand-over time under that number. Both
        // under the ledger's lock, which the tap takes to note an acknowledgement: the ack of a sample
        // cannot be noted before the sample is.
        AgentLoop loop = new AgentLoop(new SyntheticSource(host, clock), sample -> {
            synchronized (ledger) {
                long at = System.nanoTime();
                ledger.offered(shipper.offer(sample), at);
            }
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
