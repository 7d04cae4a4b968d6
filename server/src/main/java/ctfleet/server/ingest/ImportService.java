package ctfleet.server.ingest;

import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.ImportResponse;
import ctfleet.server.health.StoreStatus;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.ImportWriter;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleSource;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.StoreException;
import ctfleet.server.store.StoreUnavailable;
import ctfleet.server.store.WriteOutcome;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * History from elsewhere (e.g. Prometheus) stored as a host's samples: the same validation as live
 * samples ({@link WireDecoder}), the same idempotent store, committed through the same
 * {@link IngestBatcher}, marked as imported so a live agent's data always wins.
 */
public final class ImportService extends ImportGrpc.ImportImplBase {
    private static final Logger LOG = Logger.getLogger(ImportService.class.getName());
    private final Runnable stored;
    private final java.time.Duration rawRetention;
    static final int MAX_SAMPLES = 10_000;
    static final long DEFAULT_RESOLUTION = 60_000;
    // A coarser "step" would let one imported point hide hours of missing live data.
    static final long MAX_RESOLUTION = 3_600_000;

    private final HostStore hosts;
    private final ImportWriter samples;
    private final IngestBatcher batcher;
    private final WireDecoder decoder;
    private final Clock clock;

    public ImportService(HostStore hosts, ImportWriter samples, IngestBatcher batcher, WireDecoder decoder,
                         Clock clock) {
        this(hosts, samples, batcher, decoder, clock, () -> { }, java.time.Duration.ofDays(36500));
    }

    /**
     * @param stored       told after each request stored something (the server then rolls it up soon)
     * @param rawRetention how long raw samples are kept: older imported points whose minute is
     *                     already rolled up are not stored again
     */
    public ImportService(HostStore hosts, ImportWriter samples, IngestBatcher batcher, WireDecoder decoder,
                         Clock clock, Runnable stored, java.time.Duration rawRetention) {
        this.stored = stored;
        this.rawRetention = rawRetention;
        this.hosts = hosts;
        this.samples = samples;
        this.batcher = batcher;
        this.decoder = decoder;
        this.clock = clock;
    }

    @Override
    public void importSamples(ImportRequest req, StreamObserver<ImportResponse> out) {
        try {
            if (req.getSamplesCount() > MAX_SAMPLES) {
                throw new InvalidInput("import: " + req.getSamplesCount() + " samples in one request, at most "
                        + MAX_SAMPLES + "; split it");
            }
            long resolution = req.getResolutionMillis() == 0 ? DEFAULT_RESOLUTION : req.getResolutionMillis();
            if (resolution < 0 || resolution > MAX_RESOLUTION) {
                throw new InvalidInput("import: resolution_millis must be 0 to " + MAX_RESOLUTION);
            }
            HostHello host = host(req);
            ImportResponse.Builder resp = ImportResponse.newBuilder();
            List<SampleRow> rows = decode(req, resp);
            if (rows.isEmpty()) {
                out.onNext(resp.build());
                out.onCompleted();
                return;
            }
            long ref = hosts.ensure(host.hostId(), host.labels(), clock.millis());
            List<SampleRow> fresh = notCoveredByLive(ref, rows, resolution);
            resp.setCoveredByLive(rows.size() - fresh.size());
            store(ref, fresh, resp, out);
        } catch (InvalidInput e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (StoreUnavailable e) {
            out.onError(StoreStatus.of(e.fault()));
        } catch (StoreException e) {
            LOG.warning("import for " + WireDecoder.clip(req.getHostId()) + " failed: " + e.getMessage());
            out.onError(Status.UNAVAILABLE.withDescription("database unavailable, retry later").asRuntimeException());
        }
    }

    /** The host id and labels, checked exactly as an agent's hello is. */
    private HostHello host(ImportRequest req) throws InvalidInput {
        try {
            return decoder.hello(Hello.newBuilder().setHostId(req.getHostId()).putAllLabels(req.getLabelsMap())
                    .build());
        } catch (InvalidInput e) {
            throw new InvalidInput("import: " + e.getMessage().replaceFirst("^hello\\.", ""));
        }
    }

    /** Valid samples become rows; an invalid one is counted and skipped, never fatal to the rest. */
    private List<SampleRow> decode(ImportRequest req, ImportResponse.Builder resp) {
        long now = clock.millis();
        List<SampleRow> rows = new ArrayList<>(req.getSamplesCount());
        for (int i = 0; i < req.getSamplesCount(); i++) {
            try {
                rows.add(decoder.sample(req.getSamples(i), now));
            } catch (InvalidInput e) {
                if (resp.getInvalid() == 0) {
                    resp.setFirstInvalidReason("samples[" + i + "]: " + e.getMessage());
                }
                resp.setInvalid(resp.getInvalid() + 1);
            }
        }
        return rows;
    }

    /**
     * Live samples are taken at the agent's own instants, imported ones at query steps, so the two
     * never share a timestamp: "already stored" has to mean "a live sample near enough". Near enough
     * is the live agent's own sampling interval, or the import's step when that is larger: an import
     * at 15 s steps over an agent reporting every minute would otherwise slip three imported points
     * between each two live ones, and the history would alternate between the two sources.
     */
    private List<SampleRow> notCoveredByLive(long ref, List<SampleRow> rows, long resolution) throws StoreException {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (SampleRow r : rows) {
            min = Math.min(min, r.ts());
            max = Math.max(max, r.ts());
        }
        // The agent's interval is at most MAX_RESOLUTION apart, so live samples that far out are enough
        // to both measure it and find every one near the rows.
        long[] live = samples.liveTimestamps(ref, min - MAX_RESOLUTION + 1, max + MAX_RESOLUTION - 1);
        if (live.length == 0) {
            return rows;
        }
        long window = LiveCoverage.window(live, resolution);
        List<SampleRow> fresh = new ArrayList<>(rows.size());
        for (SampleRow r : rows) {
            if (!LiveCoverage.covers(live, r.ts(), window)) {
                fresh.add(r);
            }
        }
        return fresh;
    }

    /**
     * One transaction for the whole request, beside the {@link IngestBatcher} rather than through it:
     * the batcher commits single live samples, each checked with its own "not exists", while a bulk
     * import reads the host's stored keys in the range once (ten or more times faster). If a
     * concurrent writer takes one of the keys, the request falls back to the batcher's path.
     */
    private void store(long ref, List<SampleRow> rows, ImportResponse.Builder resp,
                       StreamObserver<ImportResponse> out) {
        if (rows.isEmpty()) {
            out.onNext(resp.build());
            out.onCompleted();
            return;
        }
        List<WriteOutcome> outcomes;
        try {
            long now = clock.millis();
            outcomes = samples.importRows(ref, rows, now, now - rawRetention.toMillis());
        } catch (StoreUnavailable e) {
            out.onError(StoreStatus.of(e.fault()));
            return;
        } catch (StoreException e) {
            LOG.fine("bulk import fell back to single writes: " + e.getMessage());
            storeThroughBatcher(ref, rows, resp, out);
            return;
        }
        for (WriteOutcome o : outcomes) {
            count(resp, o);
        }
        if (resp.getStored() > 0) {
            stored.run();
        }
        out.onNext(resp.build());
        out.onCompleted();
    }

    private static void count(ImportResponse.Builder resp, WriteOutcome o) {
        switch (o) {
            case STORED -> resp.setStored(resp.getStored() + 1);
            case DUPLICATE -> resp.setDuplicate(resp.getDuplicate() + 1);
            case CONFLICT -> resp.setConflict(resp.getConflict() + 1);
        }
    }

    private void storeThroughBatcher(long ref, List<SampleRow> rows, ImportResponse.Builder resp,
                                     StreamObserver<ImportResponse> out) {
        AtomicInteger pending = new AtomicInteger(rows.size());
        AtomicBoolean failed = new AtomicBoolean();
        long now = clock.millis();
        for (SampleRow row : rows) {
            batcher.submit(new IngestBatcher.Job(new SampleWrite(ref, row, now, SampleSource.IMPORT), (outcome, error) -> {
                synchronized (resp) {
                    if (error != null) {
                        failed.set(true);
                    } else {
                        count(resp, outcome);
                    }
                }
                if (pending.decrementAndGet() == 0) {
                    if (failed.get()) {
                        // Whatever was committed stays; a retry finds it as duplicates.
                        out.onError(Status.UNAVAILABLE.withDescription("some samples were not stored, retry later")
                                .asRuntimeException());
                        return;
                    }
                    synchronized (resp) {
                        out.onNext(resp.build());
                    }
                    out.onCompleted();
                }
            }));
        }
    }

    /** Pure: which imported instants a host's live samples already cover. */
    static final class LiveCoverage {
        private LiveCoverage() {}

        /**
         * How far a live sample covers: the agent's interval (the median spacing of its samples, so
         * that a gap in the live data stays a gap to fill) or the import's step, whichever is larger,
         * at most {@link #MAX_RESOLUTION}.
         */
        static long window(long[] sortedLive, long resolution) {
            if (sortedLive.length < 2) {
                return resolution;
            }
            long[] gaps = new long[sortedLive.length - 1];
            for (int i = 1; i < sortedLive.length; i++) {
                gaps[i - 1] = sortedLive[i] - sortedLive[i - 1];
            }
            Arrays.sort(gaps);
            long interval = gaps[gaps.length / 2];
            return Math.max(resolution, Math.min(interval, MAX_RESOLUTION));
        }

        /** Whether a sorted array of live timestamps has one strictly closer than {@code resolution} to ts. */
        static boolean covers(long[] sortedLive, long ts, long resolution) {
            int i = Arrays.binarySearch(sortedLive, ts);
            if (i >= 0) {
                return true;
            }
            int next = -i - 1;
            return (next < sortedLive.length && sortedLive[next] - ts < resolution)
                    || (next > 0 && ts - sortedLive[next - 1] < resolution);
        }
    }
}
