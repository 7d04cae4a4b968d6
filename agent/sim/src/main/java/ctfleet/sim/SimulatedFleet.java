package ctfleet.sim;

import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Many simulated agents in one JVM. They share a few channels (each agent keeps its own stream) and
 * one small scheduler, so a thousand hosts cost a thousand streams and a few threads, not a thousand
 * of each. Ticks are spread evenly over the period, as a real fleet's agents are.
 */
public final class SimulatedFleet implements AutoCloseable {
    // HTTP/2 connections shared by agents: enough to spread framing work, few enough to stay cheap.
    // Below the server's 256 concurrent calls per connection: more would queue behind the first 256.
    static final int AGENTS_PER_CHANNEL = 100;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<SimulatedAgent> agents = new ArrayList<>();
    private final List<ScheduledFuture<?>> ticks = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    // Reconnects of every shipper: separate from the ticks so stopping the ticks does not stop
    // delivery of what is still waiting for acknowledgement.
    private final ScheduledExecutorService shipTimer;
    private final FleetTally tally = new FleetTally();
    private final Consumer<String> log;
    private final Clock clock;
    private volatile Instant until = Instant.MAX;

    /**
     * @param openChannel opens a channel to the server (with the client's credentials); called once per
     *                  {@link #AGENTS_PER_CHANNEL} agents
     * @param scenarios one per host, in host-index order
     * @param origin    the simulated instant the scenarios start from
     */
    public SimulatedFleet(Supplier<ManagedChannel> openChannel, List<Scenario> scenarios, long seed, Instant origin,
            Clock clock, Consumer<String> log) {
        this.log = log;
        this.clock = clock;
        this.scheduler = Executors.newScheduledThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "ctfleet-sim");
            t.setDaemon(true);
            return t;
        });
        this.shipTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ctfleet-sim-ship");
            t.setDaemon(true);
            return t;
        });
        int n = scenarios.size();
        for (int c = 0; c < (n + AGENTS_PER_CHANNEL - 1) / AGENTS_PER_CHANNEL; c++) {
            ManagedChannel ch = openChannel.get();
            // Connect now: transport start-up (class loading, the HTTP/2 handshake) should not eat into the run.
            ch.getState(true);
            channels.add(ch);
        }
        int[] partners = FleetMix.partners(scenarios);
        for (int i = 0; i < n; i++) {
            SyntheticHost h = SyntheticHost.of(seed, i, scenarios.get(i), origin, partners[i]);
            agents.add(SimulatedAgent.create(channels.get(i % channels.size()), h, clock, tally, log, shipTimer));
        }
    }

    /**
     * Every agent takes a sample each {@code period} of real time; their first samples (and so their
     * connections and hellos) are spread evenly over {@code ramp}, as a real fleet's agents start
     * at different times. A ramp of one period spreads the ticks without delaying anyone. No sample
     * is taken after simulated instant {@code until}: a late tick at a high speed would otherwise
     * stamp a sample far in the future.
     */
    public synchronized void start(Duration period, Duration ramp, Instant until) {
        this.until = until;
        long periodNanos = period.toNanos();
        long rampNanos = ramp.toNanos();
        for (int i = 0; i < agents.size(); i++) {
            SimulatedAgent a = agents.get(i);
            long delay = (long) ((double) rampNanos * i / agents.size());
            ticks.add(scheduler.scheduleAtFixedRate(() -> tickSafely(a), delay, periodNanos, TimeUnit.NANOSECONDS));
        }
    }

    // An exception escaping a periodic task silently cancels it: that host would stop reporting unnoticed.
    private void tickSafely(SimulatedAgent a) {
        if (clock.instant().isAfter(until)) {
            return;
        }
        try {
            a.tick();
        } catch (RuntimeException e) {
            log.accept(a.hostId() + ": tick failed: " + e);
        }
    }

    /** Stops sampling; returns once no tick is running, so {@link FleetTally#sent()} is final. */
    public synchronized void stop() throws InterruptedException {
        ticks.forEach(t -> t.cancel(false));
        scheduler.shutdown();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Waits until every sample sent is acknowledged, or the timeout passes; true when all were. */
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!tally.settled()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    public FleetTally tally() {
        return tally;
    }

    public int size() {
        return agents.size();
    }

    @Override
    public synchronized void close() throws Exception {
        scheduler.shutdownNow();
        for (SimulatedAgent a : agents) {
            a.close();
        }
        shipTimer.shutdownNow();
        for (ManagedChannel c : channels) {
            c.shutdown();
        }
        for (ManagedChannel c : channels) {
            if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
                c.shutdownNow();
            }
        }
    }
}
