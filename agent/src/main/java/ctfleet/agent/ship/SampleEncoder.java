package ctfleet.agent.ship;

import ctfleet.agent.sample.EntrySample;
import ctfleet.agent.sample.Reading;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Endpoint;
import ctfleet.proto.v1.EntrySummary;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.StateCount;

/**
 * The one place where an agent {@link Reading} becomes a wire {@link Sample}. Without a sequence
 * number: the outbox gives it one ({@link Shipper#offer}).
 */
public final class SampleEncoder {
    private SampleEncoder() {}

    /**
     * @param withTimeouts timeouts are sent in an agent's first sample and when they change, not every tick
     */
    public static Sample encode(Reading r, boolean withTimeouts) {
        Sample.Builder b = Sample.newBuilder()
                .setTsMillis(r.ts().toEpochMilli())
                .setBootId(r.bootId());
        r.limits().ifPresentOrElse(l -> b.setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                        .setCount(l.count())
                        .setMax(l.max())
                        .setBuckets(l.buckets())
                        .setExpectMax(l.expectMax())
                        .setAcct(l.acct()),
                () -> b.setStatus(ConntrackStatus.CONNTRACK_STATUS_NOT_LOADED));
        r.stats().ifPresent(s -> {
            b.putAllStats(s.counters());
            b.setStatParseErrors(s.parseErrors());
        });
        if (withTimeouts) {
            b.putAllTimeouts(r.timeouts());
        }
        b.setBytesPerEntry(r.bytesPerEntry().bytes());
        b.setBytesPerEntryEstimated(r.bytesPerEntry().estimated());
        r.entries().ifPresent(e -> b.setEntries(entries(e)));
        r.memInfo().memTotalBytes().ifPresent(b::setMemTotalBytes);
        b.setMeminfoParseErrors(r.memInfo().parseErrors());
        return b.build();
    }

    static EntrySummary entries(EntrySample e) {
        EntrySummary.Builder b = EntrySummary.newBuilder()
                .setSampleSize((int) Math.min(Integer.MAX_VALUE, e.sampleSize()))
                .setParseErrors((int) Math.min(Integer.MAX_VALUE, e.parseErrors()))
                .setFullScan(e.fullScan())
                .setAssured(e.assured())
                .setUnreplied(e.unreplied())
                .setOffloaded(e.offloaded())
                .setTopApproximate(e.topApproximate())
                .addAllRawEntries(e.rawEntries())
                .putAllUnrepliedByProtocol(e.unrepliedByProtocol());
        for (EntrySample.StateCount s : e.states()) {
            b.addStates(StateCount.newBuilder().setFamily(s.family()).setProtocol(s.protocol())
                    .setState(s.state()).setSampled(s.sampled()));
        }
        e.topDestinations().forEach(p -> b.addTopDestinations(endpoint(p)));
        e.topSources().forEach(p -> b.addTopSources(endpoint(p)));
        return b.build();
    }

    private static Endpoint endpoint(EntrySample.Endpoint p) {
        return Endpoint.newBuilder().setAddress(p.address()).setPort(p.port()).setProtocol(p.protocol())
                .setSampled(p.sampled()).build();
    }
}
