package ctfleet.server.query;

import ctfleet.proto.v1.CapacityPlan;
import ctfleet.proto.v1.CapacityResponse;
import ctfleet.proto.v1.EndpointEstimate;
import ctfleet.proto.v1.HistoryPoint;
import ctfleet.proto.v1.HistoryResponse;
import ctfleet.proto.v1.HostDetail;
import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.StateEstimate;
import ctfleet.proto.v1.SummaryResponse;
import ctfleet.proto.v1.TimeoutAdvice;
import ctfleet.server.fleet.CapacityCommands;
import ctfleet.server.fleet.StateCount;
import ctfleet.server.store.LatestState;
import ctfleet.server.store.Step;
import java.util.List;
import java.util.TreeMap;

/** The one place where the queries' answers become protobuf. */
final class Wire {
    private Wire() {}

    static HostDetail host(HostView v) {
        LatestState l = v.latest();
        EntryEstimates e = v.entries();
        HostDetail.Builder b = HostDetail.newBuilder()
                .setRank(rank(v.rank()))
                .setKernel(l.kernel())
                .setSampleSize((int) e.sampleSize())
                .setSampleParseErrors((int) e.parseErrors())
                .setAssuredEstimated(e.assured())
                .setUnrepliedEstimated(e.unreplied())
                .addAllRawEntries(e.raw())
                .setBytesPerEntry(l.bytesPerEntry())
                .setBytesPerEntryEstimated(l.bytesEstimated())
                .putAllTimeouts(l.timeouts())
                .setDroppedSamples(l.droppedSamples())
                .setConflicts(l.conflicts());
        for (StateCount s : e.states()) {
            b.addStates(StateEstimate.newBuilder().setFamily(s.family()).setProtocol(s.protocol())
                    .setState(s.state()).setEstimated(s.count()));
        }
        b.addAllTopDestinations(endpoints(e.destinations()));
        b.addAllTopSources(endpoints(e.sources()));
        l.clockOffsetMillis().ifPresent(b::setClockOffsetMillis);
        l.stats().forEach(b::putStats);
        b.putAllRates(v.rates());
        l.memTotalBytes().ifPresent(b::setHostMemoryBytes);
        v.capacity().ifPresent(p -> b.setCapacity(capacity(p, l.bytesEstimated())));
        v.advice().forEach(a -> b.addAdvice(advice(a)));
        return b.build();
    }

    private static List<EndpointEstimate> endpoints(List<EntryEstimates.Endpoint> list) {
        return list.stream().map(p -> EndpointEstimate.newBuilder().setAddress(p.address()).setPort(p.port())
                .setProtocol(p.protocol()).setEstimated(p.estimated()).build()).toList();
    }

    static HistoryResponse history(HostSeries s) {
        HistoryResponse.Builder b = HistoryResponse.newBuilder().setHost(s.host())
                .setStep(s.step() == Step.RAW ? "raw" : s.step() == Step.MINUTE ? "1m" : "1h");
        for (var p : s.points()) {
            b.addPoints(point(p));
        }
        return b.build();
    }

    static CapacityResponse capacity(FleetPlan plan) {
        CapacityResponse.Builder b = CapacityResponse.newBuilder().setTotalMemoryBytes(plan.totalMemoryBytes())
                .addAllWarnings(plan.warnings());
        for (PlannedHost h : plan.hosts()) {
            b.addHosts(capacity(h.plan(), h.bytesPerEntryEstimated()));
        }
        return b.build();
    }

    static SummaryResponse summary(FleetSummary s) {
        SummaryResponse.Builder b = SummaryResponse.newBuilder()
                .setHosts(s.hosts())
                .setStale(s.stale())
                .setWithoutConntrack(s.withoutConntrack())
                .putAllByStatus(new TreeMap<>(s.byStatus()))
                .setDropsInWindow(s.dropsInWindow());
        s.nearest().forEach(r -> b.addNearest(rank(r)));
        return b.build();
    }

    static HostRank rank(ctfleet.server.fleet.HostRank r) {
        HostRank.Builder b = HostRank.newBuilder()
                .setRank(r.rank())
                .setHost(r.host())
                .setCount(r.count())
                .setMax(r.max())
                .setBuckets(r.buckets())
                .setDropsPerSecond(r.dropsPerSecond())
                .setEarlyDropsPerSecond(r.earlyDropsPerSecond())
                .setInsertFailedPerSecond(r.insertFailedPerSecond())
                .setPFull(r.pFull())
                .setReason(r.reason())
                .setStatus(r.status().wireName())
                .setLastSeenMillis(r.lastSeen().toEpochMilli())
                .putAllLabels(r.labels());
        r.fill().ifPresent(b::setFill);
        r.etaSeconds().ifPresent(b::setEtaSeconds);
        r.etaLowSeconds().ifPresent(b::setEtaLowSeconds);
        r.etaHighSeconds().ifPresent(b::setEtaHighSeconds);
        return b.build();
    }

    static CapacityPlan capacity(ctfleet.server.fleet.CapacityPlan p, boolean bytesEstimated) {
        CapacityPlan.Builder b = CapacityPlan.newBuilder()
                .setHost(p.host())
                .setCurrentMax(p.currentMax())
                .setCurrentBuckets(p.currentBuckets())
                .setPeak(p.peakCount())
                .setGrowthPerDay(p.growthPerDay())
                .setRecommendedMax(p.recommendedMax())
                .setRecommendedBuckets(p.recommendedBuckets())
                .setMemoryBytes(p.memoryBytes())
                .setAdditionalMemoryBytes(p.additionalMemoryBytes())
                .setBytesPerEntry(p.bytesPerEntry())
                .setBytesPerEntryEstimated(bytesEstimated)
                .setAction(p.action().wireName())
                .setCapped(p.capped())
                .setNeededMax(p.requiredMax())
                .setNote(p.note())
                .addAllEvidence(p.evidence());
        p.projectedFullAt().ifPresent(t -> b.setFullAtMillis(t.toEpochMilli()));
        p.hostMemoryBytes().ifPresent(b::setHostMemoryBytes);
        p.memoryCapBytes().ifPresent(b::setMemoryCapBytes);
        p.demandEstimate().ifPresent(b::setDemandEstimate);
        p.pair().ifPresent(pair -> b.setFailoverPartner(pair.partner()).setFailoverPeak(pair.peak()));
        switch (p.action()) {
            case RAISE -> {
                CapacityCommands c = p.commands();
                b.addCommands(c.sysctlRuntime())
                        .addCommands(c.hashsizeRuntime())
                        .addCommands("echo '" + c.sysctlLine() + "' > " + c.sysctlFile())
                        .addCommands("echo '" + c.modprobeLine() + "' > " + c.modprobeFile());
            }
            case INVESTIGATE -> p.timeoutAdvice().forEach(a -> b.addCommands(a.command()));
            case KEEP -> { }
        }
        return b.build();
    }

    static TimeoutAdvice advice(ctfleet.server.fleet.TimeoutAdvice a) {
        return TimeoutAdvice.newBuilder()
                .setTimeout(a.sysctl())
                .setCurrentSeconds(a.currentSeconds())
                .setSuggestedSeconds(a.suggestedSeconds())
                .setFreesEntries(a.estimatedFreed())
                .setReason(a.message() + (a.caveat().isEmpty() ? "" : " (" + a.caveat() + ")"))
                .setCommand(a.command())
                .build();
    }

    /**
     * Rates are a point's increases over the time they cover (since the previous sample), not over
     * its step: a host sampling every 10 minutes has 10 minutes of increase in one 1-minute bucket,
     * and the current hour's bucket is only partly gone by.
     */
    static HistoryPoint point(ctfleet.server.store.HistoryPoint p) {
        HistoryPoint.Builder b = HistoryPoint.newBuilder()
                .setTsMillis(p.ts())
                .setCount(p.count())
                .setCountMin(p.countMin())
                .setCountMax(p.countMax())
                .setMax(p.max())
                .setSamples(p.samples());
        b.setDropsPerSecond(p.perSecond(p.increases().drop()))
                .setEarlyDropsPerSecond(p.perSecond(p.increases().earlyDrop()))
                .setInsertFailedPerSecond(p.perSecond(p.increases().insertFailed()));
        p.fill().ifPresent(b::setFill);
        return b.build();
    }
}
