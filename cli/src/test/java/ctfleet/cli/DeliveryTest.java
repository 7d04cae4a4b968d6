package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.ship.Backoff;
import ctfleet.agent.ship.Shipper;
import ctfleet.agent.ship.Spool;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.server.store.Database;
import ctfleet.server.store.FleetReader;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery that loses nothing: agents built from the real pipeline (disk spool, stream, acks,
 * backoff) against a real server process that is killed with SIGKILL or kept away for a while.
 */
class DeliveryTest {
    @TempDir
    Path tmp;

    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
    }

    /** One simulated gateway: the agent's own spool and shipper, fed samples with known timestamps. */
    final class Agent implements AutoCloseable {
        final String host;
        final Path spoolDir;
        Spool spool;
        Shipper shipper;
        final int port;
        final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        long sampled;

        Agent(String host, int port) throws Exception {
            this.host = host;
            this.port = port;
            this.spoolDir = tmp.resolve("spool-" + host);
            open(Spool.DEFAULT_MAX_BYTES);
        }

        void open(long maxBytes) throws Exception {
            ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                    .build();
            channels.add(ch);
            spool = Spool.open(spoolDir, maxBytes);
            shipper = new Shipper(ch, Hello.newBuilder().setHostId(host).build(), spool, timer,
                    new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, new SplittableRandom(7)),
                    log::add, (seq, dup) -> { }).startSync();
            shipper.start();
        }

        long sample(long ts) throws Exception {
            long seq = shipper.offer(Sample.newBuilder().setTsMillis(ts).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                    .setCount(1000 + sampled).setMax(65536).putStats("drop", sampled).build());
            sampled++;
            return seq;
        }

        boolean drained(Duration wait) throws Exception {
            return shipper.awaitAck(spool.lastSeq(), wait);
        }

        /** An agent restart: the process goes away without a goodbye and comes back on the same spool. */
        void restart() throws Exception {
            shipper.close();
            spool.close();
            open(Spool.DEFAULT_MAX_BYTES);
        }

        @Override
        public void close() throws Exception {
            shipper.close();
            spool.close();
        }
    }

    @Test
    void serverKilledMidStreamLosesNoAcknowledgedSampleAndStoresEachExactlyOnce() throws Exception {
        int port = ServerProcess.freePort();
        Path db = tmp.resolve("db");
        List<Agent> agents = new ArrayList<>();
        long t0 = System.currentTimeMillis() - 600_000;
        ServerProcess server = ServerProcess.start(port, db);
        try {
            for (int i = 0; i < 20; i++) {
                agents.add(new Agent("gw-" + i, port));
            }
            int ticks = 0;
            for (; ticks < 15; ticks++) {
                for (Agent a : agents) {
                    a.sample(t0 + ticks * 1000L);
                }
                Thread.sleep(100);
            }
            server.kill();
            for (; ticks < 30; ticks++) { // the agents keep sampling while the server is dead
                for (Agent a : agents) {
                    a.sample(t0 + ticks * 1000L);
                }
                Thread.sleep(100);
            }
            server = ServerProcess.start(port, db);
            for (; ticks < 40; ticks++) {
                for (Agent a : agents) {
                    a.sample(t0 + ticks * 1000L);
                }
                Thread.sleep(50);
            }
            for (Agent a : agents) {
                assertTrue(a.drained(Duration.ofSeconds(60)), a.host + " did not get every sample acknowledged");
            }
        } finally {
            for (Agent a : agents) {
                a.close();
            }
            server.close();
        }
        try (Database d = Database.open(db)) {
            for (Agent a : agents) {
                assertEquals(40, a.sampled);
                assertEquals(List.of(40L, 40L, t0, t0 + 39_000),
                        rows(d, "SELECT COUNT(*), COUNT(DISTINCT s.ts), MIN(s.ts), MAX(s.ts) FROM raw_samples s"
                                + " JOIN hosts h ON h.id = s.host_ref WHERE h.host_id = '" + a.host + "'"),
                        a.host + ": exactly one row per sample taken, no gap");
            }
        }
    }

    @Test
    void agentRestartedDuringAnOutageDeliversEverySampleInOrderWhenTheServerReturns() throws Exception {
        int port = ServerProcess.freePort();
        Path db = tmp.resolve("db");
        long t0 = System.currentTimeMillis() - 600_000;
        try (Agent agent = new Agent("gw-outage", port)) {
            for (int i = 0; i < 10; i++) { // no server at all yet: samples go to the spool
                agent.sample(t0 + i * 1000L);
            }
            agent.restart();
            for (int i = 10; i < 20; i++) {
                agent.sample(t0 + i * 1000L);
            }
            assertEquals(20, agent.spool.pending(), "everything waits in the spool, across the restart");
            try (ServerProcess server = ServerProcess.start(port, db)) {
                assertTrue(agent.drained(Duration.ofSeconds(30)));
            }
        }
        try (Database d = Database.open(db)) {
            assertEquals(List.of(20L, t0, t0 + 19_000), rows(d, "SELECT COUNT(*), MIN(ts), MAX(ts) FROM raw_samples"));
            // Order: counts were sampled increasing with time, so the newest row holds the last count.
            var latest = new FleetReader(d).latest("gw-outage").orElseThrow();
            assertEquals(t0 + 19_000, latest.ts());
            assertEquals(1019, latest.count());
        }
    }

    @Test
    void fullSpoolDropsTheOldestAndTheServerLearnsHowMany() throws Exception {
        int port = ServerProcess.freePort();
        Path db = tmp.resolve("db");
        long t0 = System.currentTimeMillis() - 600_000;
        try (Agent agent = new Agent("gw-small", port)) {
            agent.close();
            agent.open(16 * 1024); // a tiny spool: 16 KiB
            int n = 2000;
            for (int i = 0; i < n; i++) {
                agent.sample(t0 + i * 100L);
            }
            long dropped = agent.spool.droppedUnreported();
            assertTrue(dropped > 0, "the spool was full");
            try (ServerProcess server = ServerProcess.start(port, db)) {
                assertTrue(agent.drained(Duration.ofSeconds(30)));
                // The count reaches the server with the next hello, i.e. on this connection.
            }
            assertEquals(0, agent.spool.droppedUnreported(), "reported, so not counted again");
            try (Database d = Database.open(db)) {
                var latest = new FleetReader(d).latest("gw-small").orElseThrow();
                assertEquals(dropped, latest.droppedSamples());
                List<Long> r = rows(d, "SELECT COUNT(*), MIN(ts), MAX(ts) FROM raw_samples");
                assertEquals(n - dropped, r.get(0), "what was not dropped arrived");
                assertEquals(t0 + (n - 1) * 100L, r.get(2), "the newest survived");
                assertTrue(r.get(1) > t0, "the oldest were the ones dropped");
            }
        }
    }

    @Test
    void aSampleTheServerCannotStoreIsDroppedOnceAndTheStreamGoesOn() throws Exception {
        int port = ServerProcess.freePort();
        Path db = tmp.resolve("db");
        long t0 = System.currentTimeMillis() - 600_000;
        try (ServerProcess server = ServerProcess.start(port, db); Agent agent = new Agent("gw-ahead", port)) {
            for (int i = 0; i < 3; i++) {
                agent.sample(t0 + i * 1000L);
            }
            // An hour ahead of the server's clock, from a hello without a clock: no correction makes it fit.
            long refused = agent.sample(System.currentTimeMillis() + 3_600_000);
            for (int i = 3; i < 6; i++) {
                agent.sample(t0 + i * 1000L);
            }
            assertTrue(agent.drained(Duration.ofSeconds(30)), agent.log.toString());
            assertEquals(0, agent.spool.pending(), "nothing waits: the refused sample was dropped");
            List<String> said = agent.log.stream().filter(l -> l.contains("sample " + refused)).toList();
            assertEquals(1, said.size(), agent.log.toString());
            assertTrue(said.get(0).startsWith("server refused sample " + refused + ": sample seq " + refused + ": ts_millis ")
                    && said.get(0).contains("ahead of the server's clock") && said.get(0).endsWith("; dropped it"), said.get(0));
            assertTrue(agent.log.stream().noneMatch(l -> l.startsWith("stream to server ended")),
                    "the same stream went on: " + agent.log);
        }
        try (Database d = Database.open(db)) {
            assertEquals(List.of(6L, t0, t0 + 5_000), rows(d, "SELECT COUNT(*), MIN(ts), MAX(ts) FROM raw_samples"),
                    "every other sample is stored");
        }
    }

    static List<Long> rows(Database d, String sql) throws Exception {
        try (var c = d.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            List<Long> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getLong(i));
            }
            return out;
        }
    }
}
