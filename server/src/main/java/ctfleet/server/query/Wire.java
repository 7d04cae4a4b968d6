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
        CapacityCommands c = p.commands();
        CapacityPlan.Builder b = CapacityPlan.newBuilder()
                .setHost(p.host())
                .setCurrentMax(p.currentMax())
                .setCurrentBuckets(p.currentBuckets())
                .setPeak(p.peakCount())
                .setGrowthPerDay(p.growthPerDay())
                .setRecommendedMax(p.recommendedMax())
                .setRecommendedBuckets(p.recommendedBuckets())
                .setMemoryBytes(p.memoryBytes())
                .setBytesPerEntry(p.bytesPerEntry())
                .setBytesPerEntryEstimated(bytesEstimated)
                .addCommands(c.sysctlRuntime())
                .addCommands(c.hashsizeRuntime())
                .addCommands("echo '" + c.sysctlLine() + "' > " + c.sysctlFile())
                .addCommands("echo '" + c.modprobeLine() + "' > " + c.modprobeFile());
        p.projectedFullAt().ifPresent(t -> b.setFullAtMillis(t.toEpochMilli()));
        if (p.requiredMax() < p.recommendedMax() && p.recommendedMax() == p.currentMax()) {
            b.setNote("the current max already covers the projected peak (" + p.requiredMax()
                    + " would do); ctfleet never recommends shrinking it");
        } else if (p.changes()) {
            b.setNote(String.format("projected peak %d at the horizon; %+d bytes of kernel memory",
                    p.projectedPeak(), p.additionalMemoryBytes()));
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
