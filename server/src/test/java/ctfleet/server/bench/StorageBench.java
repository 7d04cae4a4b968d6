package ctfleet.server.bench;

import ctfleet.common.Durations;
import ctfleet.server.CtfleetServer;
import ctfleet.server.query.FleetQueries;
import ctfleet.server.query.TopQuery;
import ctfleet.server.store.Database;
import ctfleet.server.store.FileUsage;
import ctfleet.server.store.FleetReader;
import ctfleet.server.store.HistoryReader;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.RecentRaw;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RetentionJob;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.RollupJob;
import ctfleet.server.store.SampleListener;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampledEntries;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.WriteOutcome;
import ctfleet.server.store.Step;
import ctfleet.server.store.StoreMaintenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Loads a generated fleet history through the real ingest path (SampleWriter.write, one commit per
 * 10 s tick of the whole fleet) with rollups, retention and compaction running on the simulated
 * clock, then prints load rate, bytes on disk per raw sample and query latencies. Not a test:
 * prints figures, asserts nothing.
 *
 * <pre>java -cp ... ctfleet.server.bench.StorageBench [--hosts 1000] [--days 7] [--every 10m] [--entries]
 *     [--dir DIR [--queries-only]]</pre>
 *
 * <p>{@code --queries-only} skips the load and measures the queries on the file an earlier run
 * left in DIR (same --hosts): a day of 1000 hosts takes an hour to load, its queries a minute.
 * The Top measurement writes a few more ticks into that file.
 */
public final class StorageBench {
    public static void main(String[] args) throws Exception {
        ctfleet.common.Logging.quietLibraries();
        int hosts = 1000;
        double days = 7;
        long every = Durations.parse("10m").toMillis();
        boolean entries = false;
        boolean queriesOnly = false;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--days" -> days = Double.parseDouble(args[++i]);
                case "--every" -> every = Durations.parse(args[++i]).toMillis();
                case "--entries" -> entries = true;
                case "--dir" -> dir = Path.of(args[++i]);
                case "--queries-only" -> queriesOnly = true;
                default -> throw new IllegalArgumentException("unknown flag " + args[i]
                        + "; flags: --hosts N --days D --every DURATION --entries --dir DIR --queries-only");
            }
        }
        if (queriesOnly && (dir == null || !Files.exists(dir.resolve("ctfleet.mv.db")))) {
            throw new IllegalArgumentException("--queries-only needs --dir with the file of an earlier run");
        }
        if (dir == null) {
            dir = Files.createTempDirectory("ctfleet-bench-");
        }
        new StorageBench().run(dir, hosts, days, every, entries, queriesOnly);
    }

    void run(Path dir, int hostCount, double days, long every, boolean entries, boolean queriesOnly) throws Exception {
        Retention retention = Retention.DEFAULT;
        long ticks = (long) (days * 8640);
        long end = 1_760_000_000_000L;
        long start = end - ticks * 10_000;
        // The server compacts for at most 1 s every 30 s. Rounds here come every `every` of simulated
        // time, which the load runs through much faster, so each round gets the compaction time the
        // server would have spent over that simulated time: the same compaction time per sample.
        int compactMillis = (int) (StoreMaintenance.COMPACT_MILLIS * every
                / CtfleetServer.MAINTENANCE_PERIOD.toMillis());
        System.out.printf("storage bench: %d hosts, %.2f days at 10 s = %,d raw samples, maintenance every %s"
                + " (simulated) with up to %,d ms of compaction, entries %s, H2 file in %s%n", hostCount, days,
                ticks * hostCount, Durations.format(java.time.Duration.ofMillis(every)), compactMillis,
                entries ? "1/min" : "off", dir);

        Database db = Database.open(dir);
        RollupBacklog backlog = new RollupBacklog();
        // As the server wires it: writes extend the in-memory tails the ranking reads.
        RecentRaw recent = new RecentRaw(FleetQueries.DEFAULT_WINDOW);
        SampleWriter store = new SampleWriter(db, SampleListener.all(backlog, recent));
        HostStore hostStore = new HostStore(db);
        RollupJob rollup = new RollupJob(db, backlog, retention);
        RetentionJob expiry = new RetentionJob(db, retention);
        long[] refs = new long[hostCount];
        for (int h = 0; h < hostCount; h++) {
            refs[h] = hostStore.hello(new HostHello(String.format("gw-%04d", h), Map.of("dc", "dc" + h % 4),
                    "6.1", "0.1", 0), start);
        }
        Gen gen = new Gen(hostCount);
        long raw = count(db, "SELECT COUNT(*) FROM samples");
        if (queriesOnly) {
            System.out.printf("queries only, on the file of an earlier run (the figures above describe no load):"
                    + " %,d MB, %,d raw samples%n", db.fileSize() >> 20, raw);
        } else {
            long loadStart = System.nanoTime();
            long maintenanceNanos = 0;
            long nextMaintenance = start + every;
            long peakFile = 0;
            for (long t = 0; t < ticks; t++) {
                long ts = start + t * 10_000;
                List<SampleWrite> batch = new ArrayList<>(hostCount);
                for (int h = 0; h < hostCount; h++) {
                    batch.add(new SampleWrite(refs[h], gen.next(h, ts + h % 5000, entries), ts));
                }
                store.write(batch);
                if (ts >= nextMaintenance) {
                    peakFile = Math.max(peakFile, db.fileSize());
                    long m = System.nanoTime();
                    rollup.run(ts);
                    expiry.run(ts);
                    db.compact(compactMillis);
                    maintenanceNanos += System.nanoTime() - m;
                    nextMaintenance += every;
                }
                if (t > 0 && t % 2160 == 0) {
                    System.out.printf("  day %.2f: %,.0f samples/s, file %,d MB%n", t / 8640.0,
                            t * hostCount / seconds(loadStart), db.fileSize() >> 20);
                }
            }
            rollup.run(end);
            expiry.run(end);
            double loadSecs = seconds(loadStart);
            long ingested = ticks * hostCount;
            FileUsage atEndUsage = db.usage();
            long atEnd = atEndUsage.bytes();
            // What a running server gets to once ingest pauses: compaction rounds until the file stops
            // shrinking (Database.compact frees dead chunks at once, so there is no retention time to wait).
            long settleStart = System.nanoTime();
            for (long before = Long.MAX_VALUE; db.fileSize() < before && seconds(settleStart) < 180; ) {
                before = db.fileSize();
                db.compact(5000);
            }
            FileUsage settledUsage = db.usage();
            long settled = settledUsage.bytes();
            raw = count(db, "SELECT COUNT(*) FROM samples");
            System.out.printf("load: %,d samples in %.1f s = %,.0f samples/s (maintenance %.1f s of it)%n", ingested,
                    loadSecs, ingested / loadSecs, maintenanceNanos / 1e9);
            System.out.printf("rows: raw %,d  1m %,d  1h %,d  entry_summaries %,d%n", raw,
                    count(db, "SELECT COUNT(*) FROM samples_1m"), count(db, "SELECT COUNT(*) FROM samples_1h"),
                    count(db, "SELECT COUNT(*) FROM entry_summaries"));
            System.out.printf("file: peak %,d MB; end of load %,d MB = %.1f B per raw sample kept;"
                            + " after compaction rounds (%.0f s) %,d MB = %.1f B per raw sample kept"
                            + " (goal <= 60)%n", peakFile >> 20, atEnd >> 20, (double) atEnd / raw,
                    seconds(settleStart), settled >> 20, (double) settled / raw);
            System.out.printf("file fill (blocks in chunks / live bytes in chunks): end of load %d%% / %d%%;"
                    + " settled %d%% / %d%%%n", atEndUsage.fillRate(), atEndUsage.chunksFillRate(),
                    settledUsage.fillRate(), settledUsage.chunksFillRate());
        }

        Clock clock = Clock.fixed(Instant.ofEpochMilli(end), ZoneOffset.UTC);
        HistoryReader history = new HistoryReader(db, retention, clock);
        FleetReader fleet = new FleetReader(db);
        double scan = time(3, () -> count(db, "SELECT COUNT(*) FROM samples WHERE ct_count < 0"));
        double top = time(20, () -> fleet.latest().size());
        // Top as a running server answers it: the first call reads every host's hour from the database
        // into memory; each later one follows a fleet tick written through the store, as agents keep
        // sending, and ranks from memory.
        long first = System.nanoTime();
        int ranked = new FleetQueries(fleet, new HistoryReader(db, retention, clock, recent), clock)
                .top(TopQuery.defaults()).size();
        double topFirst = (System.nanoTime() - first) / 1e6;
        long[] tick = {end};
        // 31 calls: the median is then past the JIT's first compilations, as in a server that has run a while.
        double topRpc = timeParts(31, () -> {
            tick[0] += 10_000;
            List<SampleWrite> batch = new ArrayList<>(hostCount);
            for (int h = 0; h < hostCount; h++) {
                batch.add(new SampleWrite(refs[h], gen.next(h, tick[0] - 5_000 + h % 5000, entries), tick[0]));
            }
            store.write(batch);
            Clock later = Clock.fixed(Instant.ofEpochMilli(tick[0]), ZoneOffset.UTC);
            long t = System.nanoTime();
            new FleetQueries(fleet, new HistoryReader(db, retention, later, recent), later)
                    .top(TopQuery.defaults()).size();
            return System.nanoTime() - t;
        });
        long day = 86_400_000L;
        double hist = time(20, () -> history.series("gw-0007", end - day, end, Step.AUTO).size());
        double hist1m = time(20, () -> history.series("gw-0007", end - day, end, Step.MINUTE).size());
        long[] points = new long[1];
        double capacity = time(3, () -> {
            points[0] = 0;
            history.fleetSeries(end - 30 * day, end, Step.HOUR, (h, p) -> points[0]++);
            return points[0];
        });
        long[] rawPoints = new long[1];
        double window = time(5, () -> {
            rawPoints[0] = 0;
            history.fleetSeries(end - 3_600_000L, end, Step.RAW, (h, p) -> rawPoints[0]++);
            return rawPoints[0];
        });
        System.out.printf("baseline: full scan of raw samples %.1f ms%n", scan);
        System.out.printf("top's 1 h window of raw samples for the fleet (%,d points): %.1f ms median = %.4f x scan%n",
                rawPoints[0], window, window / scan);
        System.out.printf("top, the whole Top call (latest states, 1 h window of raw samples, ranking) while a fleet"
                + " tick is written between calls: %.1f ms median (goal <= 50) = %.4f x scan; of it the latest states"
                + " of %d hosts %.2f ms; the first call after start, which reads the window from the database:"
                + " %.1f ms (%d hosts ranked)%n", topRpc, topRpc / scan, hostCount, top, topFirst, ranked);
        System.out.printf("24 h history of one host (auto -> %s, %d points): %.2f ms median (goal <= 100) = %.4f x scan;"
                + " from 1m rollups %.2f ms%n", history.resolve(end - day, Step.AUTO),
                history.series("gw-0007", end - day, end, Step.AUTO).size(), hist, hist / scan, hist1m);
        System.out.printf("fleet capacity over 30 days (1h rollups, %,d points streamed): %.1f ms median"
                + " (goal <= 1000) = %.3f x scan%n", points[0], capacity, capacity / scan);
        db.close();
        if (queriesOnly) {
            return; // the file now also holds Top's extra ticks, written without maintenance
        }
        System.out.printf("file after clean shutdown: %,d MB = %.1f B per raw sample kept%n",
                Files.size(dir.resolve("ctfleet.mv.db")) >> 20, (double) Files.size(dir.resolve("ctfleet.mv.db")) / raw);
    }

    /** Median milliseconds of {@code runs} calls. */
    static double time(int runs, Callable<?> call) throws Exception {
        return timeParts(runs, () -> {
            long t = System.nanoTime();
            call.call();
            return System.nanoTime() - t;
        });
    }

    /** Median milliseconds of {@code runs} calls that each return the nanoseconds of the part to time. */
    static double timeParts(int runs, Callable<Long> timedPart) throws Exception {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = timedPart.call() / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static long count(Database db, String sql) throws Exception {
        try (var c = db.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Plausible gateways: a wandering count, fixed limits, slowly growing drop counters, rare reboots. */
    static final class Gen {
        final Random r = new Random(42);
        final long[] count;
        final long[] drop;
        final long[] early;
        final int[] boot;

        Gen(int hosts) {
            count = new long[hosts];
            drop = new long[hosts];
            early = new long[hosts];
            boot = new int[hosts];
            for (int h = 0; h < hosts; h++) {
                count[h] = 10_000 + r.nextInt(100_000);
                drop[h] = h % 10 == 0 ? (1L << 32) - 100_000 : 0; // some hosts wrap early on
            }
        }

        SampleRow next(int h, long ts, boolean withEntries) {
            long max = h % 3 == 0 ? 262_144 : 65_536 * 4;
            count[h] = Math.max(0, Math.min(max, count[h] + r.nextInt(2001) - 1000));
            if (r.nextInt(200_000) == 0) {
                boot[h]++;
                drop[h] = 0;
                early[h] = 0;
            }
            if (r.nextInt(4) == 0) {
                drop[h] = (drop[h] + r.nextInt(20)) % (1L << 32);
                early[h] += r.nextInt(3);
            }
            Optional<SampledEntries> entries = withEntries && ts % 60_000 < 10_000
                    ? Optional.of(new SampledEntries(2000, 0, false, List.of(
                            new SampledEntries.State("ipv4", "tcp", "ESTABLISHED", r.nextInt(9000)),
                            new SampledEntries.State("ipv4", "tcp", "TIME_WAIT", r.nextInt(900))), 0, 0,
                            List.of(new SampledEntries.Endpoint("10.0.0.1", 443, "tcp", 10),
                                    new SampledEntries.Endpoint("10.0.0.2", 53, "udp", 5)), List.of(), List.of(), Map.of()))
                    : Optional.empty();
            return new SampleRow(ts, true, count[h], max, 65_536, 4096, 0, "boot-" + h + "-" + boot[h],
                    Map.of("drop", drop[h], "early_drop", early[h], "insert_failed", 0L, "invalid", (long) h % 7),
                    new TreeMap<>(), 320, true, entries);
        }
    }
}
