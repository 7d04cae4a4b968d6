package ctfleet.agent.sim;

import ctfleet.agent.AgentLoop;
import ctfleet.agent.ship.Shipper;
import ctfleet.common.Version;
import ctfleet.proto.v1.Hello;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import java.time.Clock;
import java.util.function.Consumer;

/** One simulated gateway: a synthetic source driving the real agent pipeline over a shared channel. */
public final class SimulatedAgent implements AutoCloseable {
    static final String KERNEL = "6.18.0-ctfleet-sim";
    static final int MAX_PENDING = 10_000;

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
     */
    public static SimulatedAgent create(Channel channel, SyntheticHost host, Clock clock, FleetTally tally,
            Consumer<String> log) {
        HostProfile p = host.profile();
        AckLedger ledger = new AckLedger(tally);
        Hello hello = Hello.newBuilder()
                .setHostId(p.hostId())
                .putAllLabels(p.labels())
                .setAgentVersion(Version.VERSION)
                .setKernel(KERNEL)
                .build();
        Shipper shipper = new Shipper(ClientInterceptors.intercept(channel, new AckTap(ledger)), hello, MAX_PENDING,
                msg -> log.accept(p.hostId() + ": " + msg));
        AgentLoop loop = new AgentLoop(new SyntheticSource(host, clock), sample -> {
            ledger.offered(sample.getSeq());
            shipper.offer(sample);
        }, e -> log.accept(p.hostId() + ": " + e.getMessage()));
        return new SimulatedAgent(p.hostId(), loop, shipper);
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
