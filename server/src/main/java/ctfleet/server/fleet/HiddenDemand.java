package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The demand a full table hides. Its count is clamped at max, so its peak says nothing about how
 * many entries its traffic wants; what it refused does:
 *
 * <pre>
 *   refused/s = drop / 7 + early_drop + insert_failed      per second, over a stretch of ≥ 5 minutes
 *   demand    = max over stretches of (peak count in the stretch + refused/s × lifetime)
 * </pre>
 *
 * with the lifetime from {@link EntryLifetime}. At steady state a table holds arrivals × lifetime
 * entries (Little's law); the refused arrivals would have added their share.
 *
 * <p>A host is full when its count reached max in the window, or {@code drop} or {@code early_drop}
 * grew: both count only when a new entry finds no room (init_conntrack: table full, nothing
 * unassured to evict; or one evicted to make room). {@code insert_failed} alone does not make a host
 * full: since Linux 5.x it mostly counts clash races of parallel packets of one flow (a resolver's
 * A and AAAA queries), which a half-empty table has too; on a full host it is added to the rate.
 *
 * <p>Why {@code drop / 7}: {@code drop} counts packets, and a refused connection keeps knocking.
 * Linux sends a SYN and retries it six times ({@code tcp_syn_retries}) within 127 s, about the
 * lifetime here; dividing by 7 counts each refused connection at most once. {@code early_drop}
 * counts entries, one per eviction.
 */
public final class HiddenDemand {
    static final long SYN_TRANSMISSIONS = 7;
    static final Duration MIN_STRETCH = Duration.ofMinutes(5);

    /**
     * @param entries       the demand estimate
     * @param refusedPerSecond refused connections per second in the busiest stretch
     * @param peakCount     the count then
     * @param at            the start of that stretch
     */
    public record Estimate(long entries, double refusedPerSecond, long peakCount, Instant at, Duration stretch,
                           EntryLifetime lifetime) {
        public String explain() {
            return String.format(Locale.ROOT, "%,d entries + %,.1f refused connections/s × %.0f s entry lifetime = %,d"
                            + " (a lower bound; lifetime from %s)", peakCount, refusedPerSecond, lifetime.seconds(),
                    entries, lifetime.basis());
        }
    }

    private HiddenDemand() {}

    /** The estimate for a full host; empty when the host was never full in the window. */
    public static Optional<Estimate> of(HostHistory h, HostFacts f) {
        if (!full(h, f.refusals())) {
            return Optional.empty();
        }
        EntryLifetime lifetime = EntryLifetime.of(f.states(), f.timeouts());
        // Without refusals to add (an imported host has no counters), the demand is at least what
        // the table held when it was last at max, not today's count, which may be far below it.
        Estimate best = new Estimate(h.count(), 0, h.count(), h.lastSeen(), Duration.ZERO, lifetime);
        if (h.count() < h.max()) {
            for (CountPoint p : h.points()) {
                long peak = Peaks.of(p);
                if (p.max() > 0 && peak >= p.max() && peak >= best.entries()) {
                    best = new Estimate(peak, 0, peak, p.ts(), Duration.ZERO, lifetime);
                }
            }
        }
        List<RefusalPoint> pts = f.refusals();
        int i = 0;
        while (i < pts.size()) {
            Duration span = Duration.ZERO;
            long peak = 0;
            double refused = 0;
            Instant start = pts.get(i).ts();
            // One stretch: consecutive points until they cover five minutes (one rollup bucket will do).
            while (i < pts.size() && span.compareTo(MIN_STRETCH) < 0) {
                RefusalPoint p = pts.get(i++);
                if (p.span().isZero() || p.span().isNegative()) {
                    continue; // a window's first raw point: no interval of its own
                }
                span = span.plus(p.span());
                peak = Math.max(peak, p.peakCount());
                refused += (double) p.drop() / SYN_TRANSMISSIONS + p.earlyDrop() + p.insertFailed();
            }
            if (span.isZero()) {
                continue;
            }
            double perSecond = refused / (span.toMillis() / 1000.0);
            long entries = Math.round(peak + perSecond * lifetime.seconds());
            if (entries > best.entries() || (entries == best.entries() && perSecond > best.refusedPerSecond())) {
                best = new Estimate(entries, perSecond, peak, start, span, lifetime);
            }
        }
        return Optional.of(best);
    }

    /**
     * When a host full earlier in the window, not now, was last at max: its newest point whose peak
     * reached its limit, else (refusals alone said it was full) the start of the stretch the estimate
     * was read from. Not the stretch alone: over a short window, or in the host view, the refusals
     * are one stretch from the window's start, when the table may have been half empty.
     */
    static Instant lastFull(HostHistory h, Estimate e) {
        Instant last = null;
        for (CountPoint p : h.points()) {
            if (p.max() > 0 && Peaks.of(p) >= p.max()) {
                last = p.ts();
            }
        }
        return last != null ? last : e.at();
    }

    /** Full now, not only earlier in the window: the newest count is at max. */
    static boolean fullNow(HostHistory h) {
        return h.max() > 0 && h.count() >= h.max();
    }

    /** At max in the window, or drop / early_drop grew (see the class comment for insert_failed). */
    static boolean full(HostHistory h, List<RefusalPoint> refusals) {
        if (h.max() <= 0) {
            return false; // no limit: nothing to refuse for size
        }
        if (fullNow(h)) {
            return true;
        }
        for (CountPoint p : h.points()) {
            if (p.max() > 0 && Peaks.of(p) >= p.max()) {
                return true;
            }
        }
        for (RefusalPoint r : refusals) {
            if (r.drop() > 0 || r.earlyDrop() > 0 || r.peakCount() >= h.max()) {
                return true;
            }
        }
        return false;
    }
}
