package ctfleet.agent.ship;

import ctfleet.agent.sample.Reading;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Sample;

/** The one place where an agent {@link Reading} becomes a wire {@link Sample}. */
public final class SampleEncoder {
    private SampleEncoder() {}

    /**
     * @param withTimeouts timeouts are sent in a stream's first sample and when they change, not every tick
     */
    public static Sample encode(Reading r, long seq, boolean withTimeouts) {
        Sample.Builder b = Sample.newBuilder()
                .setSeq(seq)
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
        return b.build();
    }
}
