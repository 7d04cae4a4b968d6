package ctfleet.cli.importer;

import ctfleet.cli.render.Format;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.ImportResponse;
import ctfleet.proto.v1.Sample;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Prometheus history into ctfleet: find the hosts ({@code /api/v1/series}), plan the queries, then
 * fetch one query ahead while the previous one's samples are being stored, with a few import calls
 * in flight. Prometheus' limits are met by splitting a refused query in halves.
 */
public final class Importer {
    static final int IN_FLIGHT = 4;

    /** What to import; times are epoch milliseconds. */
    public record Options(String hostLabel, String match, long startMillis, long endMillis, long stepMillis,
                          long pointBudget) {}

    /**
     * The outcome, for the final summary. {@code sharedHosts}: one line per host skipped because its
     * host label value is shared by several targets (naming them).
     */
    public record Summary(int hosts, long startMillis, long endMillis, int queries, int splits, long stored,
                          long duplicate, long conflict, long coveredByLive, long invalid, String firstInvalid,
                          long incomplete, long notFinite, long negative, List<String> skippedHosts,
                          List<String> sharedHosts, long elapsedNanos) {
        public long samples() {
            return stored + duplicate + conflict + coveredByLive + invalid;
        }
    }

    /** The import cannot go on; the message says why in the operator's terms. */
    public static final class Failed extends Exception {
        public Failed(String message) {
            super(message, null, false, false);
        }
    }

    private final PromClient prom;
    private final ImportGrpc.ImportStub server;
    private final Progress progress;

    public Importer(PromClient prom, ImportGrpc.ImportStub server, Progress progress) {
        this.prom = prom;
        this.server = server;
        this.progress = progress;
    }

    public Summary run(Options o) throws PromError, Failed, InterruptedException {
        long began = System.nanoTime();
        long step = o.stepMillis();
        long first = ImportPlan.alignUp(o.startMillis(), step);
        long last = Math.floorDiv(o.endMillis(), step) * step;
        if (last < first) {
            throw new Failed("nothing to import: the range from --since to --until is shorter than one --step");
        }
        Hosts hosts = discover(o, first, last);
        Set<String> shared = new LinkedHashSet<>(hosts.shared);
        ImportPlan plan = ImportPlan.of(first, last, step, hosts.seriesPerHost, o.pointBudget());

        Totals totals = new Totals();
        NodeExporterMapping.Skipped skipped = new NodeExporterMapping.Skipped();
        Semaphore slots = new Semaphore(IN_FLIGHT);
        ExecutorService fetcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ctfleet-import-fetch");
            t.setDaemon(true);
            return t;
        });
        int hostsDone = 0;
        AtomicInteger splits = new AtomicInteger();
        try {
            List<ImportPlan.Query> queries = plan.queries();
            Future<List<PromSeries>> next = fetcher.submit(() -> fetch(o, queries.get(0), splits));
            for (int i = 0; i < queries.size(); i++) {
                List<PromSeries> chunk = get(next);
                if (i + 1 < queries.size()) {
                    ImportPlan.Query ahead = queries.get(i + 1);
                    next = fetcher.submit(() -> fetch(o, ahead, splits));
                }
                Map<String, List<Sample>> byHost = NodeExporterMapping.samples(chunk, o.hostLabel(),
                        hosts.hostOf, skipped);
                chunk = null; // let the answer go before the requests are built
                for (var e : new TreeMap<>(byHost).entrySet()) {
                    send(e.getKey(), hosts.labels.get(e.getKey()), e.getValue(), step, slots, totals);
                }
                if (queries.get(i).lastOfGroup()) {
                    hostsDone += queries.get(i).group().hostValues().size();
                }
                progress.update(new Progress.Snapshot(hostsDone, plan.hosts(), totals.samples(), i + 1,
                        queries.size(), System.nanoTime() - began));
            }
            slots.acquire(IN_FLIGHT);
            totals.throwIfFailed();
        } finally {
            fetcher.shutdownNow();
            progress.finish();
        }
        return new Summary(plan.hosts(), first, last, plan.queries().size(), splits.get(), totals.stored.get(),
                totals.duplicate.get(), totals.conflict.get(), totals.covered.get(), totals.invalid.get(),
                totals.firstInvalid.get(), skipped.incomplete, skipped.notFinite, skipped.negative, hosts.skipped,
                List.copyOf(sharedIn(skipped, shared)), System.nanoTime() - began);
    }

    /** The hosts to import: host label value -> host id, their series counts and labels. */
    private record Hosts(Map<String, String> hostOf, SortedMap<String, Integer> seriesPerHost,
                         Map<String, SortedMap<String, String>> labels, List<String> skipped, List<String> shared) {}

    // A target that appeared only after discovery mixed into a chunk: that chunk of the host was left out.
    private static Set<String> sharedIn(NodeExporterMapping.Skipped skipped, Set<String> shared) {
        for (String host : skipped.mixedHosts) {
            if (shared.stream().noneMatch(s -> s.startsWith(host + " "))) {
                shared.add(host + " (series of several targets in one query; part of its history was left out)");
            }
        }
        return shared;
    }

    /**
     * Host label values whose series come from more than one target (e.g. {@code --host-label job},
     * or two machines with one nodename): their fields cannot be told apart, so such a host is
     * skipped and named with the labels that tell its targets apart.
     */
    static Map<String, String> sharedValues(List<SortedMap<String, String>> all, String hostLabel) {
        Map<String, List<SortedMap<String, String>>> series = new TreeMap<>();
        for (SortedMap<String, String> s : all) {
            String raw = s.get(hostLabel);
            if (raw != null) {
                series.computeIfAbsent(raw, r -> new ArrayList<>()).add(s);
            }
        }
        Map<String, String> out = new TreeMap<>();
        series.forEach((raw, sets) -> {
            Set<String> telling = NodeExporterMapping.telling(sets);
            if (telling.isEmpty()) {
                return;
            }
            // Each target once, by the labels that tell them apart: {instance="a:9100"}, {instance="b:9100"}.
            Set<String> targets = new java.util.TreeSet<>();
            for (SortedMap<String, String> s : sets) {
                List<String> parts = new ArrayList<>();
                for (String k : telling) {
                    if (s.containsKey(k)) {
                        parts.add(k + "=\"" + s.get(k) + "\"");
                    }
                }
                targets.add("{" + String.join(", ", parts) + "}");
            }
            out.put(raw, targets.size() + " targets share " + hostLabel + "=\"" + raw + "\": "
                    + String.join(", ", targets));
        });
        return out;
    }

    private Hosts discover(Options o, long first, long last) throws PromError, Failed {
        String selector = NodeExporterMapping.selector(o.match(), o.hostLabel(), List.of());
        List<SortedMap<String, String>> all = prom.series(selector, first, last);
        String where = (o.match().isBlank() ? "" : " matching " + o.match()) + " between "
                + Format.isoUtc(first) + " and " + Format.isoUtc(last);
        List<SortedMap<String, String>> entries = all.stream()
                .filter(s -> NodeExporterMapping.ENTRIES.equals(s.get("__name__"))).toList();
        if (entries.isEmpty()) {
            throw new Failed("Prometheus at " + prom.url() + " has no " + NodeExporterMapping.ENTRIES + " series"
                    + where + (all.isEmpty() ? "" : " (only " + all.size() + " other node_* series)")
                    + ": is node_exporter (with its default conntrack collector) scraped there, and is --match right?");
        }
        Map<String, String> hostOf = new HashMap<>();
        Map<String, String> rawOfHost = new HashMap<>();
        Map<String, SortedMap<String, String>> labels = new HashMap<>();
        Set<String> skipped = new LinkedHashSet<>();
        Set<String> seen = new java.util.TreeSet<>();
        Map<String, String> sharedValues = sharedValues(all, o.hostLabel());
        Set<String> shared = new LinkedHashSet<>();
        for (SortedMap<String, String> s : entries) {
            seen.addAll(s.keySet());
            String raw = s.get(o.hostLabel());
            if (raw == null) {
                continue;
            }
            var id = NodeExporterMapping.hostId(raw);
            if (id.isEmpty()) {
                skipped.add(raw + " (not a valid host id)");
                continue;
            }
            if (sharedValues.containsKey(raw)) {
                shared.add(id.get() + " (" + sharedValues.get(raw) + ")");
                continue;
            }
            String earlier = rawOfHost.putIfAbsent(id.get(), raw);
            if (earlier != null && !earlier.equals(raw)) {
                rawOfHost.put(id.get(), earlier);
                skipped.add(raw + " (maps to host " + id.get() + " like " + earlier + ")");
                continue;
            }
            hostOf.put(raw, id.get());
            labels.putIfAbsent(id.get(), NodeExporterMapping.labels(s, o.hostLabel()));
        }
        if (hostOf.isEmpty() && !shared.isEmpty()) {
            throw new Failed("no host to import: each value of '" + o.hostLabel() + "' is shared by several targets: "
                    + String.join("; ", shared) + "; choose a --host-label that names one machine");
        }
        if (hostOf.isEmpty()) {
            seen.remove("__name__");
            throw new Failed(skipped.isEmpty()
                    ? "no " + NodeExporterMapping.ENTRIES + " series" + where + " has the label '" + o.hostLabel()
                            + "' (labels present: " + String.join(", ", seen) + "); choose one with --host-label"
                    : "no value of '" + o.hostLabel() + "' is a usable host id: " + String.join(", ", skipped));
        }
        SortedMap<String, Integer> seriesPerHost = new TreeMap<>();
        for (SortedMap<String, String> s : all) {
            String raw = s.get(o.hostLabel());
            if (raw != null && hostOf.containsKey(raw)) {
                seriesPerHost.merge(raw, 1, Integer::sum);
            }
        }
        return new Hosts(hostOf, seriesPerHost, labels, List.copyOf(skipped), List.copyOf(shared));
    }

    /** One planned query; a query Prometheus finds too large is split in two, by time first, then by hosts. */
    private List<PromSeries> fetch(Options o, ImportPlan.Query q, AtomicInteger splits) throws PromError {
        return fetch(o, q.group().hostValues(), q.startMillis(), q.endMillis(), splits);
    }

    private List<PromSeries> fetch(Options o, List<String> hosts, long from, long to, AtomicInteger splits)
            throws PromError {
        long step = o.stepMillis();
        try {
            return prom.queryRange(NodeExporterMapping.query(o.match(), o.hostLabel(), hosts, step), from, to, step);
        } catch (PromError e) {
            if (e.kind() != PromError.Kind.LIMIT) {
                throw e;
            }
            long steps = (to - from) / step + 1;
            List<PromSeries> out;
            if (steps > 1) {
                long mid = from + (steps / 2) * step;
                out = new ArrayList<>(fetch(o, hosts, from, mid - step, splits));
                splits.incrementAndGet();
                out.addAll(fetch(o, hosts, mid, to, splits));
            } else if (hosts.size() > 1) {
                int half = hosts.size() / 2;
                out = new ArrayList<>(fetch(o, hosts.subList(0, half), from, to, splits));
                splits.incrementAndGet();
                out.addAll(fetch(o, hosts.subList(half, hosts.size()), from, to, splits));
            } else {
                throw new PromError(PromError.Kind.LIMIT, e.getMessage() + " (even for one step of one host: raise"
                        + " Prometheus' --query.max-samples or --query.timeout, or narrow --match)");
            }
            return out;
        }
    }

    private static List<PromSeries> get(Future<List<PromSeries>> f) throws PromError, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PromError p) {
                throw p;
            }
            throw new PromError(PromError.Kind.QUERY, "query failed: " + e.getCause());
        }
    }

    private void send(String host, SortedMap<String, String> labels, List<Sample> samples, long step,
                      Semaphore slots, Totals totals) throws InterruptedException, Failed {
        for (int from = 0; from < samples.size(); from += ImportPlan.MAX_STEPS) {
            totals.throwIfFailed();
            ImportRequest req = ImportRequest.newBuilder().setHostId(host).putAllLabels(labels)
                    .setResolutionMillis(step)
                    .addAllSamples(samples.subList(from, Math.min(samples.size(), from + ImportPlan.MAX_STEPS)))
                    .build();
            slots.acquire();
            server.withDeadlineAfter(5, TimeUnit.MINUTES).importSamples(req, new StreamObserver<>() {
                @Override
                public void onNext(ImportResponse r) {
                    totals.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    totals.fail(host, Status.fromThrowable(t));
                    slots.release();
                }

                @Override
                public void onCompleted() {
                    slots.release();
                }
            });
        }
    }

    private static final class Totals {
        final AtomicLong stored = new AtomicLong();
        final AtomicLong duplicate = new AtomicLong();
        final AtomicLong conflict = new AtomicLong();
        final AtomicLong covered = new AtomicLong();
        final AtomicLong invalid = new AtomicLong();
        final AtomicReference<String> firstInvalid = new AtomicReference<>("");
        final AtomicReference<String> failure = new AtomicReference<>();

        void add(ImportResponse r) {
            stored.addAndGet(r.getStored());
            duplicate.addAndGet(r.getDuplicate());
            conflict.addAndGet(r.getConflict());
            covered.addAndGet(r.getCoveredByLive());
            invalid.addAndGet(r.getInvalid());
            if (r.getInvalid() > 0) {
                firstInvalid.compareAndSet("", r.getFirstInvalidReason());
            }
        }

        void fail(String host, Status s) {
            String why = switch (s.getCode()) {
                case UNAVAILABLE -> "cannot reach the ctfleet server (UNAVAILABLE"
                        + (s.getDescription() == null ? "" : ": " + s.getDescription()) + ")";
                case UNIMPLEMENTED -> "the ctfleet server is too old to import (no Import service)";
                default -> s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
            };
            failure.compareAndSet(null, "importing " + host + ": " + why);
        }

        long samples() {
            return stored.get() + duplicate.get() + conflict.get() + covered.get() + invalid.get();
        }

        void throwIfFailed() throws Failed {
            String f = failure.get();
            if (f != null) {
                throw new Failed(f);
            }
        }
    }
}
