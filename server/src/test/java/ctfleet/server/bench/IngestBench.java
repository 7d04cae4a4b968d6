package ctfleet.server.bench;

import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.WriteOutcome;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sustained ingest through the real server (gRPC on loopback, validation, group commit, acks after
 * commit) with many concurrent agent streams, against the same rows inserted straight into H2 with
 * JDBC batches in the same run. Prints both rates and their ratio (target >= 0.7).
 *
 * <p>"Sustained": both sides first register every host and store its first sample untimed (the
 * server: every stream's hello and first ack), then time the rest. A hello is a commit of its own,
 * and with a few samples per stream, timing 1000 of them measured connection setup, not ingest.
 * Both sides also run once on a small fleet first, so neither is timed while the JIT warms up.
 *
 * <p>Run: {@code java -cp <server test classpath> ctfleet.server.bench.IngestBench [streams] [samplesPerStream] [rounds]}
 */
public final class IngestBench {
    public static void main(String[] args) throws Exception {
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int perStream = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        long t0 = System.currentTimeMillis() - 86_400_000L;

        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        plain(50, 5, t0);
        direct(50, 5, t0);
        served(50, 5, t0);
        System.out.printf("streams %d x %d samples, %d rounds (each: plain, store, server back to back)%n",
                streams, perStream, rounds);
        System.out.printf("%5s %12s %12s %12s %14s %14s%n", "round", "plain/s", "store/s", "server/s",
                "server/plain", "server/store");
        double[] ratios = new double[rounds];
        double[] storeRatios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double plain = plain(streams, perStream, t0);
            double direct = direct(streams, perStream, t0);
            double served = served(streams, perStream, t0);
            ratios[r] = served / plain;
            storeRatios[r] = served / direct;
            System.out.printf("%5d %,12.0f %,12.0f %,12.0f %14.2f %14.2f%n", r + 1, plain, direct, served,
                    ratios[r], storeRatios[r]);
        }
        System.out.printf("median ratio server/plain JDBC  %6.2f  (target >= 0.70)%n", median(ratios));
        System.out.printf("median ratio server/SampleWriter %6.2f%n", median(storeRatios));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Registers gw-0 .. gw-(n-1), untimed, and returns their refs. */
    static long[] registerHosts(Database db, int n, long t0) throws Exception {
        HostStore hosts = new HostStore(db);
        long[] refs = new long[n];
        for (int h = 0; h < n; h++) {
            refs[h] = hosts.hello(new HostHello("gw-" + h, Map.of(), "6.1", "bench", 0), t0);
        }
        return refs;
    }

    /**
     * The baseline: the same rows, straight into the samples table with a JDBC batch of
     * single-row INSERTs, 1000 rows a transaction, one thread. No idempotence check, no latest
     * state: the floor of what storing a sample costs.
     */
    static double plain(int streams, int perStream, long t0) throws Exception {
        Path dir = Files.createTempDirectory("ingest-plain");
        try (Database db = Database.open(dir)) {
            long[] refs = registerHosts(db, streams, t0);
            long start = System.nanoTime();
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO samples (status, ct_count, ct_max, boot, drop_total,"
                            + " early_drop, insert_failed, invalid, source, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                c.setAutoCommit(false);
                int inBatch = 0;
                for (int i = 1; i < perStream; i++) {
                    for (int h = 0; h < streams; h++) {
                        SampleRow r = row(t0 + i * 1000L, i);
                        ps.setShort(1, (short) 1);
                        ps.setLong(2, r.count());
                        ps.setLong(3, r.max());
                        ps.setInt(4, r.bootId().hashCode());
                        ps.setLong(5, r.stat("drop"));
                        ps.setLong(6, r.stat("early_drop"));
                        ps.setLong(7, r.stat("insert_failed"));
                        ps.setLong(8, r.stat("invalid"));
                        ps.setShort(9, (short) 0);
                        ps.setLong(10, refs[h] * (1L << 42) + r.ts()); // SampleKey
                        ps.addBatch();
                        if (++inBatch == 1000) {
                            ps.executeBatch();
                            c.commit();
                            inBatch = 0;
                        }
                    }
                }
                ps.executeBatch();
                c.commit();
            }
            return (double) streams * (perStream - 1) / ((System.nanoTime() - start) / 1e9);
        }
    }

    static SampleRow row(long ts, int i) {
        return new SampleRow(ts, true, 1000 + i, 262144, 65536, 4096, 0, "boot", Map.of("drop", 0L, "early_drop", 0L),
                new TreeMap<>(), 320, true, Optional.empty());
    }

    /**
     * SampleWriter.write with 1000 rows a batch, each batch one sample of 1000 different hosts (so
     * 1000 latest-state updates a batch, where the server's batches often hold several samples of
     * one host), one thread.
     */
    static double direct(int streams, int perStream, long t0) throws Exception {
        Path dir = Files.createTempDirectory("ingest-direct");
        try (Database db = Database.open(dir)) {
            long[] refs = registerHosts(db, streams, t0);
            SampleWriter store = new SampleWriter(db);
            List<SampleWrite> batch = new ArrayList<>();
            for (int h = 0; h < streams; h++) {
                batch.add(new SampleWrite(refs[h], row(t0, 0), t0));
            }
            store.write(batch);
            batch.clear();
            long start = System.nanoTime();
            for (int i = 1; i < perStream; i++) {
                for (int h = 0; h < streams; h++) {
                    batch.add(new SampleWrite(refs[h], row(t0 + i * 1000L, i), t0));
                    if (batch.size() == 1000) {
                        store.write(batch);
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                store.write(batch);
            }
            return (double) streams * (perStream - 1) / ((System.nanoTime() - start) / 1e9);
        }
    }

    static double served(int streams, int perStream, long t0) throws Exception {
        Path dir = Files.createTempDirectory("ingest-served");
        try (CtfleetServer server = new CtfleetServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                Database.open(dir), Clock.systemUTC()).start()) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            AtomicLong acked = new AtomicLong();
            CountDownLatch ready = new CountDownLatch(streams);
            CountDownLatch done = new CountDownLatch(streams);
            List<AgentStream> all = new ArrayList<>();
            for (int h = 0; h < streams; h++) {
                all.add(new AgentStream(ch, "gw-" + h, perStream, t0, acked, ready, done));
            }
            if (!ready.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("streams did not start: " + ready.getCount() + " left");
            }
            long start = System.nanoTime();
            long before = acked.get();
            all.forEach(AgentStream::go);
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("streams did not finish: " + acked.get() + " acked");
            }
            double rate = (acked.get() - before) / ((System.nanoTime() - start) / 1e9);
            ch.shutdownNow();
            return rate;
        }
    }

    /**
     * One agent stream: a hello and its first sample, then (after {@link #go}) the rest as fast as
     * the server's flow control lets it, counting acks.
     */
    static final class AgentStream implements ClientResponseObserver<AgentMessage, ServerMessage> {
        private final String host;
        private final int n;
        private final long t0;
        private final AtomicLong acked;
        private final CountDownLatch ready;
        private final CountDownLatch done;
        private ClientCallStreamObserver<AgentMessage> out;
        private boolean going;
        private boolean helloSent;
        private int sent;
        private int got;

        AgentStream(ManagedChannel ch, String host, int n, long t0, AtomicLong acked, CountDownLatch ready,
                    CountDownLatch done) {
            this.host = host;
            this.n = n;
            this.t0 = t0;
            this.acked = acked;
            this.ready = ready;
            this.done = done;
            CollectorGrpc.newStub(ch).stream(this);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
            out = requestStream;
            out.setOnReadyHandler(this::pump);
        }

        synchronized void go() {
            going = true;
            pump();
        }

        private synchronized void pump() {
            if (!helloSent) {
                helloSent = true;
                out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(host)).build());
            }
            while (out.isReady() && sent < (going ? n : 1)) {
                sent++;
                out.onNext(AgentMessage.newBuilder().setSample(Sample.newBuilder().setSeq(sent)
                        .setTsMillis(t0 + sent * 1000L).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                        .setCount(1000 + sent).setMax(262144).setBuckets(65536).putStats("drop", 0)
                        .putStats("early_drop", 0)).build());
            }
        }

        @Override
        public synchronized void onNext(ServerMessage m) {
            acked.incrementAndGet();
            if (++got == 1) {
                ready.countDown();
            }
            if (got == n) {
                out.onCompleted();
            }
        }

        @Override
        public void onError(Throwable t) {
            System.err.println(host + ": " + t);
            ready.countDown();
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }
    }
}
