package ctfleet.server.query;

import ctfleet.proto.v1.CapacityPlan;
import ctfleet.proto.v1.HistoryPoint;
import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.TimeoutAdvice;
import ctfleet.server.fleet.CapacityCommands;

/** The one place where the fleet logic's answers become protobuf. */
final class Wire {
    private Wire() {}

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

    static HistoryPoint point(ctfleet.server.store.HistoryPoint p) {
        double seconds = p.durationMillis() / 1000.0;
        HistoryPoint.Builder b = HistoryPoint.newBuilder()
                .setTsMillis(p.ts())
                .setCount(p.count())
                .setCountMin(p.countMin())
                .setCountMax(p.countMax())
                .setMax(p.max())
                .setSamples(p.samples());
        if (seconds > 0) {
            b.setDropsPerSecond(p.increases().drop() / seconds)
                    .setEarlyDropsPerSecond(p.increases().earlyDrop() / seconds)
                    .setInsertFailedPerSecond(p.increases().insertFailed() / seconds);
        }
        p.fill().ifPresent(b::setFill);
        return b.build();
    }
}
