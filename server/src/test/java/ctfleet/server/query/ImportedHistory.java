package ctfleet.server.query;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.Sample;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;

/** Made-up gateway histories as an import request: what the scenario tests load into a real server. */
final class ImportedHistory {
    static final long MINUTE = 60_000;

    private ImportedHistory() {}

    /**
     * One host's history up to {@code now}, a sample a minute: demand(ago) in units of {@code unit}
     * entries for ago minutes before now, with noise, clamped at that minute's max as the kernel
     * clamps the count; the boot id, whether the agent reported, and the cumulative early_drop
     * counter.
     */
    static ImportRequest request(String host, long now, int minutes, long seed, long unit, IntToDoubleFunction demand,
            IntToLongFunction max, IntFunction<String> boot, IntPredicate observed, IntToLongFunction earlyDrop) {
        Random r = new Random(seed);
        ImportRequest.Builder b = ImportRequest.newBuilder().setHostId(host).setResolutionMillis(MINUTE);
        for (int ago = minutes - 1; ago >= 0; ago--) {
            double f = demand.applyAsDouble(ago) + 0.004 * r.nextGaussian();
            if (!observed.test(ago)) {
                continue;
            }
            long limit = max.applyAsLong(ago);
            b.addSamples(Sample.newBuilder().setTsMillis(now - ago * MINUTE)
                    .setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                    .setCount(Math.max(0, Math.min(limit, Math.round(f * unit)))).setMax(limit)
                    .setBootId(boot.apply(ago)).putStats("early_drop", earlyDrop.applyAsLong(ago))
                    .putStats("drop", 0).putStats("insert_failed", 0));
        }
        return b.build();
    }
}
