package ctfleet.server.bench;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.ImportResponse;
import ctfleet.proto.v1.Sample;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleSource;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.WriteOutcome;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Import throughput on the server side, against a baseline measured in the same run: the store's
 * own batched writes of the same rows ({@link SampleWriter#write} in batches of 1,000, no gRPC, no
 * validation). Prints samples/s of both, their ratio, and what that means for the target
 * of 500 hosts x 30 days at 1-minute steps. Not a test: run it by hand (see README-import.md).
 *
 * <p>Arguments: hosts (default 20), minutes per host (default 10,000).
 */
public final class ImportBench {
    static final long MINUTE = 60_000;

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long base = (System.currentTimeMillis() / MINUTE - minutes - 10) * MINUTE;
        long n = (long) hosts * minutes;

        double baseline = baseline(hosts, minutes, base);
        long cpu0 = cpuNanos();
        double[] imported = viaImport(hosts, minutes, base);
        double cpuPerSample = (cpuNanos() - cpu0) / 1e9 / (2.0 * n);
        System.out.printf("samples per run: %,d (%d hosts x %,d minutes)%n", n, hosts, minutes);
        System.out.printf("baseline  SampleWriter.write, batches of 1000: %,10.0f samples/s%n", baseline);
        System.out.printf("import    ImportSamples, 4 x 10,000 in flight: %,10.0f samples/s  ratio %.2f%n",
                imported[0], imported[0] / baseline);
        System.out.printf("re-import same range (all duplicates):        %,10.0f samples/s  ratio %.2f%n",
                imported[1], imported[1] / baseline);
        double target = 500.0 * 30 * 1440;
        System.out.printf("500 hosts x 30 d x 1 m = %,.0f samples: %.1f min at the import rate%n", target,
                target / imported[0] / 60);
        // On a shared, loaded machine wall time says little; CPU time per sample says what one free core would do.
        System.out.printf("process CPU per imported sample: %.1f us (one free core: %.1f min for the 30-day fleet)%n",
                cpuPerSample * 1e6, target * cpuPerSample / 60);
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static SampleRow row(long ts, long i) {
        return new SampleRow(ts, true, 1000 + i, 262_144, 0, 0, 0, "boot-1",
                Map.of("drop", i, "early_drop", 0L, "insert_failed", i / 10, "invalid", 3 * i, "found", 100 * i,
                        "insert", 10 * i, "ignore", 2 * i, "search_restart", 0L),
                new TreeMap<>(), 0, false, Optional.empty());
    }

    static double baseline(int hosts, int minutes, long base) throws Exception {
        Path dir = Files.createTempDirectory("ctfleet-bench-base");
        try (Database db = Database.open(dir)) {
            HostStore hs = new HostStore(db);
            SampleWriter store = new SampleWriter(db);
            long t0 = System.nanoTime();
            for (int h = 0; h < hosts; h++) {
                long ref = hs.ensure("gw-" + h, Map.of(), 0);
                List<SampleWrite> batch = new ArrayList<>(1000);
                for (int i = 0; i < minutes; i++) {
                    batch.add(new SampleWrite(ref, row(base + i * MINUTE, i), 0, SampleSource.IMPORT));
                    if (batch.size() == 1000) {
                        store.write(batch);
                        batch.clear();
                    }
                }
                if (!batch.isEmpty()) {
                    store.write(batch);
                }
            }
            return (double) hosts * minutes / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static double[] viaImport(int hosts, int minutes, long base) throws Exception {
        Path dir = Files.createTempDirectory("ctfleet-bench-import");
        String name = InProcessServerBuilder.generateName();
        try (CtfleetServer server = new CtfleetServer(InProcessServerBuilder.forName(name), Database.open(dir),
                Clock.systemUTC()).start()) {
            ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
            List<ImportRequest> reqs = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                for (int from = 0; from < minutes; from += 10_000) {
                    ImportRequest.Builder r = ImportRequest.newBuilder().setHostId("gw-" + h)
                            .setResolutionMillis(MINUTE);
                    for (int i = from; i < Math.min(minutes, from + 10_000); i++) {
                        SampleRow x = row(base + i * MINUTE, i);
                        r.addSamples(Sample.newBuilder().setTsMillis(x.ts())
                                .setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(x.count())
                                .setMax(x.max()).setBootId(x.bootId()).putAllStats(x.stats()));
                    }
                    reqs.add(r.build());
                }
            }
            double first = run(ch, reqs);
            double again = run(ch, reqs);
            ch.shutdownNow();
            return new double[] {first, again};
        }
    }

    static double run(ManagedChannel ch, List<ImportRequest> reqs) throws InterruptedException {
        Semaphore slots = new Semaphore(4);
        AtomicLong answered = new AtomicLong();
        long t0 = System.nanoTime();
        for (ImportRequest r : reqs) {
            slots.acquire();
            ImportGrpc.newStub(ch).importSamples(r, new StreamObserver<>() {
                @Override
                public void onNext(ImportResponse v) {
                    answered.addAndGet(v.getStored() + v.getDuplicate() + v.getConflict() + v.getCoveredByLive());
                }

                @Override
                public void onError(Throwable t) {
                    System.err.println("import failed: " + t);
                    slots.release();
                }

                @Override
                public void onCompleted() {
                    slots.release();
                }
            });
        }
        slots.acquire(4);
        return answered.get() / ((System.nanoTime() - t0) / 1e9);
    }
}
