package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Sizes {@code nf_conntrack_max} and the hash table for a horizon, from a long window (e.g. 30d),
 * so that an operator can apply the plan as it stands: never more than a share of the host's
 * memory, never more than the kernel accepts, and never a raise for growth that is not demand.
 *
 * <pre>
 *   investigate (no raise) when, first match:
 *     a leak          {@link LeakSigns}: most entries in long-timeout states, the count climbing steadily
 *     acceleration    {@link PeakTrend}: the daily peaks bend upward (a parabola beats the line clearly)
 *     a step          {@link LevelShift}: the count jumped to a new level and held — unless the host is full,
 *                     or has a failover partner (the step is the partner's load, which the plan holds)
 *   otherwise:
 *     peak         = the window's peak
 *     growth/day   = the slope of the daily peaks with ≥ 3 days of them (see {@link PeakTrend}), else 0:
 *                    the plan starts from the peak seen and says why
 *     peakNow      = max(peak, daily-peak line at now, a full host's hidden demand ({@link HiddenDemand}))
 *     projected    = peakNow + max(0, growth/day) × horizon days
 *     fullAt       = now + (currentMax − peakNow) / growth/day      (growth &gt; 0, max &gt; 0); now when
 *                    the demand is beyond max already; for a host full earlier in the window and not now,
 *                    when it was last ({@link HiddenDemand#lastFull})
 *     requiredMax  = nextPow2(max(1024, ⌈projected × headroom⌉)), and for a host with a failover partner
 *                    at least nextPow2(⌈the pair's projected load × headroom⌉) ({@link PairLoad})
 *     max, buckets = {@link TableSize}: requiredMax within the memory share and the kernel's limits,
 *                    never below today's; buckets = max(current, nextPow2(max))
 *     memory       = max × bytesPerEntry + buckets × 8
 *   budget = max memory share × MemTotal; unknown MemTotal: the kernel's limits only (and the note says so)
 * </pre>
 *
 * <p>Why peaks and not averages: the table refuses connections at its peak. Why never shrink:
 * the window can miss a rare peak (failover, monthly batch), and an unused slot costs nothing —
 * entries are slab objects allocated per connection — so an oversized max costs only the
 * possibility of using that memory, while an undersized one drops connections; requiredMax is
 * still reported so an oversize is visible. Why a memory share: that possibility is real on the
 * day the table fills, and a gateway whose kernel takes a third of its memory for conntrack
 * swaps or OOM-kills before it refuses a connection.
 *
 * <p>Buckets = max follows the kernel's own default since Linux 5.15 (commit d532bcd0b269,
 * "netfilter: conntrack: sanitize table size default settings"): every entry is hashed twice
 * (original and reply direction), so with max == buckets a full table has an average chain
 * length of 2 — Documentation/networking/nf_conntrack-sysctl.rst, nf_conntrack_max. The older
 * advice of buckets = max / 4 (or / 8) dates from the max_factor 4/8 defaults and gives chains of
 * 8–16. The hash table is an array of 8-byte {@code hlist_nulls_head}s, allocated in full.
 * bytesPerEntry is the {@code nf_conntrack} slab object size the agent reads from
 * {@code /proc/slabinfo} (256 on the Linux 6.18 test host); when unknown we assume 320, the
 * larger size seen on distribution kernels; conntrack extensions (acct, timestamps, labels,
 * NAT) live in separate allocations and are not counted.
 */
public final class CapacityPlanner {
    public static final long DEFAULT_BYTES_PER_ENTRY = 320;
    public static final double DEFAULT_MAX_MEMORY_SHARE = 0.25;
    static final long BUCKET_BYTES = TableSize.BUCKET_BYTES;
    static final long MIN_MAX = 1024;
    private static final long DAY_SECONDS = 86_400;

    private final Duration horizon;
    private final double headroom;
    private final double maxMemoryShare;

    public CapacityPlanner(Duration horizon, double headroom) {
        this(horizon, headroom, DEFAULT_MAX_MEMORY_SHARE);
    }

    /** @param maxMemoryShare the most of a host's MemTotal a plan may cost, in (0, 1] */
    public CapacityPlanner(Duration horizon, double headroom, double maxMemoryShare) {
        if (horizon.isNegative()) {
            throw new IllegalArgumentException("horizon must not be negative: " + horizon);
        }
        if (!(headroom >= 1)) {
            throw new IllegalArgumentException("headroom must be at least 1 (1.5 = 50% spare), got " + headroom);
        }
        if (!(maxMemoryShare > 0 && maxMemoryShare <= 1)) {
            throw new IllegalArgumentException("max memory share must be above 0 and at most 1 (0.25 = a quarter"
                    + " of the host's MemTotal), got " + maxMemoryShare);
        }
        this.horizon = horizon;
        this.headroom = headroom;
        this.maxMemoryShare = maxMemoryShare;
    }

    /**
     * Plans every host with conntrack loaded. The fleet total is what the plans ask the fleet's
     * kernels to be able to hold: the recommended settings' memory, which for a host told to keep
     * or to investigate is today's.
     *
     * @param facts by host id; a host without facts is planned from its history alone
     */
    public FleetCapacity planFleet(List<HostHistory> hosts, Map<String, HostFacts> facts, Instant now) {
        return planFleet(hosts, facts, now, Map.of());
    }

    /** As above, each host with a failover partner sized to hold their load together ({@link PairLoad}). */
    public FleetCapacity planFleet(List<HostHistory> hosts, Map<String, HostFacts> facts, Instant now,
            Map<String, PairLoad> pairs) {
        List<CapacityPlan> plans = new ArrayList<>();
        long total = 0;
        long additional = 0;
        for (HostHistory h : hosts) {
            if (h.conntrack() != ConntrackModule.LOADED) {
                continue;
            }
            CapacityPlan p = plan(h, facts.getOrDefault(h.host(), HostFacts.bytesPerEntryOnly(0)), now,
                    Optional.ofNullable(pairs.get(h.host())));
            plans.add(p);
            total += p.memoryBytes();
            additional += p.additionalMemoryBytes();
        }
        return new FleetCapacity(plans, total, additional);
    }

    /** A plan from the history and the entry size alone (memory unknown, no breakdown, no refusals). */
    public CapacityPlan plan(HostHistory h, long bytesPerEntry, Instant now) {
        return plan(h, HostFacts.bytesPerEntryOnly(bytesPerEntry), now);
    }

    public CapacityPlan plan(HostHistory h, HostFacts f, Instant now) {
        return plan(h, f, now, Optional.empty());
    }

    /** @param pair the load it must hold when its failover partner's lands on it; empty without a partner */
    public CapacityPlan plan(HostHistory h, HostFacts f, Instant now, Optional<PairLoad> pair) {
        long bpe = f.bytesPerEntry() > 0 ? f.bytesPerEntry() : DEFAULT_BYTES_PER_ENTRY;
        long peak = peakOf(h);
        PeakTrend trend = PeakTrend.of(h.points(), now);
        Optional<LevelShift> step = LevelShift.find(h.points(), h.max());
        Optional<HiddenDemand.Estimate> demand = HiddenDemand.of(h, f);
        Optional<LeakSigns> leak = LeakSigns.of(h, f, trend, now);
        OptionalLong budget = f.memTotalBytes().isPresent()
                ? OptionalLong.of((long) Math.floor(maxMemoryShare * f.memTotalBytes().getAsLong()))
                : OptionalLong.empty();
        double days = horizon.toSeconds() / (double) DAY_SECONDS;
        List<String> evidence = new ArrayList<>();
        boolean fullNow = HiddenDemand.fullNow(h);
        Optional<Instant> lastFull = demand.filter(d -> !fullNow).map(d -> HiddenDemand.lastFull(h, d));
        demand.ifPresent(d -> evidence.add(lastFull.map(t -> "last full at " + Reasons.time(t, now) + ", now "
                        + Reasons.percent((double) h.count() / h.max()) + ": its count was clamped at max then, so").orElse(
                        "full: its count is clamped at max, so")
                + " its demand is estimated from what it refused: " + d.explain()));
        step.ifPresent(s -> evidence.add(describe(s)));

        // A trend only from history that is long enough and has no step in it (after a step, only since).
        PeakTrend used = trend;
        if (step.isPresent()) {
            List<CountPoint> since = h.points().stream().filter(p -> !p.ts().isBefore(step.get().at())).toList();
            used = PeakTrend.of(since, now);
        }
        double growth = used.hasTrend() ? used.slopePerDay() : 0;
        double peakNow = Math.max(peak, used.hasTrend() ? used.levelNow() : 0);
        if (demand.isPresent()) {
            peakNow = Math.max(peakNow, demand.get().entries());
        }
        long projected = (long) Math.ceil(peakNow + Math.max(0, growth) * days);
        long alone = nextPowerOfTwo(Math.max(MIN_MAX, (long) Math.ceil(projected * headroom)));
        // Either gateway of a pair may be the one left: each is sized for both loads.
        long forPair = pair.map(p -> nextPowerOfTwo(Math.max(MIN_MAX, (long) Math.ceil(p.projected(days) * headroom))))
                .orElse(0L);
        long required = Math.max(alone, forPair);
        pair.ifPresent(p -> evidence.add(describe(p, h, days)));

        String investigate = null;
        List<TimeoutAdvice> advice = List.of();
        if (leak.isPresent()) {
            investigate = leak.get().summary();
            evidence.addAll(leak.get().evidence());
            advice = leak.get().advice();
            if (!used.hasTrend()) {
                growth = SteadyClimb.of(h.points(), h.max(), now).map(SteadyClimb::perDay).orElse(0.0);
            }
        } else if (trend.accelerating() && step.isEmpty()) {
            investigate = acceleration(trend, alone);
            evidence.add(String.format(Locale.ROOT, "daily peaks over %d days: a line's slope %+,.0f/day (explains"
                    + " %.0f%%), a parabola's slope now %+,.0f/day", trend.days(), trend.slopePerDay(),
                    trend.rSquared() * 100, trend.slopeNowIfAccelerating()));
        } else if (step.isPresent() && demand.isEmpty() && pair.isEmpty()) {
            // A pair's step is its partner's load arriving, which the pair's plan holds.
            investigate = step(step.get(), h, peak, bpe, budget);
            growth = 0;
        }

        Optional<Instant> fullAt = Optional.empty();
        if (lastFull.isPresent()) {
            fullAt = lastFull; // full earlier in the window: when, not "now"
        } else if (h.max() > 0 && (peak >= h.max() || peakNow >= h.max())) {
            fullAt = Optional.of(now);
        } else if (h.max() > 0 && growth > 0) {
            double inDays = (h.max() - peakNow) / growth;
            if (inDays < 365 * 100) {
                fullAt = Optional.of(now.plusSeconds((long) (inDays * DAY_SECONDS)));
            }
        }

        long currentCost = TableSize.cost(h.max(), h.buckets(), bpe);
        budget.ifPresent(b -> {
            if (currentCost > b) {
                evidence.add(String.format(Locale.ROOT, "today's nf_conntrack_max %,d and %,d buckets may already take"
                        + " %s, more than %.0f%% of MemTotal (%s)", h.max(), h.buckets(), bytes(currentCost),
                        maxMemoryShare * 100, bytes(f.memTotalBytes().getAsLong())));
            }
        });

        CapacityAction action;
        TableSize size;
        String note;
        if (investigate != null) {
            action = CapacityAction.INVESTIGATE;
            size = new TableSize(h.max(), h.buckets(), "");
            note = "investigate, not raise: " + investigate;
        } else {
            size = TableSize.fit(required, peak, h.max(), h.buckets(), bpe, budget);
            // A hash size not known (an import: Prometheus does not carry it) is no reason to act on its own.
            action = size.max() != h.max() || h.buckets() > 0 && size.buckets() != h.buckets() ? CapacityAction.RAISE
                    : CapacityAction.KEEP;
            note = basis(h, peak, used, demand, lastFull, growth, projected, now) + pair.map(p -> withPartner(p, alone, forPair))
                    .orElse("") + sizing(h, required, size, bpe, budget);
        }
        if (f.memTotalBytes().isEmpty()) {
            note += "; MemTotal unknown (an imported host, or an agent older than it): capped only by the kernel's"
                    + " limits";
        }
        long memory = TableSize.cost(size.max(), size.buckets(), bpe);
        // Unknown, today's hash is taken as the plan's: the plan then adds only what it is sure of.
        long nowCost = h.buckets() > 0 ? currentCost : TableSize.cost(h.max(), size.buckets(), bpe);
        return new CapacityPlan(h.host(), h.max(), h.buckets(), peak, growth, projected, fullAt, required, size.max(),
                size.buckets(), bpe, memory, Math.max(0, memory - nowCost),
                CapacityCommands.of(size.max(), size.buckets()), action, f.memTotalBytes(), budget, size.capped(),
                demand, pair, note, evidence, advice);
    }

    /** The note's part on the partner: whether the pair's load set the plan. */
    private String withPartner(PairLoad p, long alone, long forPair) {
        return forPair > alone
                ? String.format(Locale.ROOT, "; sized to hold %s's load too (its failover partner): together they"
                        + " peak at %,d, so it needs %,d where its own load needs %,d", p.partner(), p.peak(),
                        forPair, alone)
                : String.format(Locale.ROOT, "; that holds its failover partner %s's load too (together they peak"
                        + " at %,d)", p.partner(), p.peak());
    }

    /** The evidence for a pair: when they failed over, and what the two hold together. */
    private String describe(PairLoad p, HostHistory h, double days) {
        String growth = p.growthPerDay() > 0
                ? String.format(Locale.ROOT, ", growing %+,.0f/day over %d days of daily peaks", p.growthPerDay(),
                        p.trend().days())
                : "";
        long projected = p.projected(days);
        String ahead = projected > p.peak() ? String.format(Locale.ROOT, ", %,d at the horizon", projected) : "";
        String share = h.max() > 0
                ? String.format(Locale.ROOT, " (%.0f%% of today's max %,d)", 100.0 * projected / h.max(), h.max())
                : "";
        FailoverPairs.Partner f = p.found();
        String label = f.declared().map(v -> " (label " + DeclaredPairs.LABEL + "=" + v + ")").orElse("");
        String seen = f.lastFailover().map(last -> String.format(Locale.ROOT, "in the last %d days the load moved from"
                        + " one to the other and back %d %s, last at %s", FailoverPairs.WINDOW_DAYS, f.failovers(),
                f.failovers() == 1 ? "time" : "times", last.truncatedTo(java.time.temporal.ChronoUnit.MINUTES)))
                .orElse(String.format(Locale.ROOT, "no failover in the last %d days", FailoverPairs.WINDOW_DAYS));
        return String.format(Locale.ROOT, "failover partner %s%s: %s; together they peak at %,d%s%s%s: either must"
                + " hold both when the other fails", p.partner(), label, seen, p.peak(), growth, ahead, share);
    }

    private static String acceleration(PeakTrend trend, long required) {
        return String.format(Locale.ROOT, "the daily peaks accelerate: %+,.0f/day now against %+,.0f/day on average"
                + " over %d days (a parabola beats the line clearly); compounding growth is rarely demand: look for a"
                + " retry storm, a scan or a runaway client before a 30-day line through it asks for %,d",
                trend.slopeNowIfAccelerating(), trend.slopePerDay(), trend.days(), required);
    }

    /** A step is not growth; what its new level needs if it stays is said, not recommended. */
    private String step(LevelShift s, HostHistory h, long peak, long bpe, OptionalLong budget) {
        long ifItStays = nextPowerOfTwo(Math.max(MIN_MAX, (long) Math.ceil(peak * headroom)));
        TableSize conditional = TableSize.fit(ifItStays, peak, h.max(), h.buckets(), bpe, budget);
        String since = s.fresh()
                ? String.format(Locale.ROOT, "%s ago, too soon to tell a new level from a burst", span(s.held()))
                : String.format(Locale.ROOT, "has held about %,d for %s", s.level(), span(s.held()));
        return String.format(Locale.ROOT, "the count stepped up from %,d to %,d within %s and %s: a failover, a new"
                        + " tenant or a flood, not growth; if the new level is here to stay it needs nf_conntrack_max"
                        + " %,d (its peak %,d × %s headroom%s)", s.from(), s.to(), span(s.took()), since,
                conditional.max(), peak, headroomText(),
                conditional.capped() ? ", capped by " + capReason(conditional, budget) : "");
    }

    private String headroomText() {
        return java.math.BigDecimal.valueOf(headroom).stripTrailingZeros().toPlainString();
    }

    /** Where the projection comes from, in words. */
    private String basis(HostHistory h, long peak, PeakTrend used, Optional<HiddenDemand.Estimate> demand,
                         Optional<Instant> lastFull, double growth, long projected, Instant now) {
        String from;
        if (demand.isPresent() && lastFull.isPresent()) {
            from = String.format(Locale.ROOT, "last full at %s, now %s: the plan starts from the demand its clamped"
                    + " count hid then, %,d entries (a lower bound)", Reasons.time(lastFull.get(), now), Reasons.percent((double) h.count() / h.max()),
                    demand.get().entries());
        } else if (demand.isPresent()) {
            from = String.format(Locale.ROOT, "full: the plan starts from the demand its clamped count hides, %,d"
                    + " entries (a lower bound)", demand.get().entries());
        } else if (used.hasTrend()) {
            from = String.format(Locale.ROOT, "peak %,d, daily peaks %s over %d days", peak,
                    growth > 0 ? String.format(Locale.ROOT, "growing %+,.0f/day", growth) : "not growing", used.days());
        } else {
            from = String.format(Locale.ROOT, "peak %,d in %s of history: too short for a growth trend (that needs %d"
                            + " days of daily peaks), so the plan starts from the peak seen", peak,
                    span(historySpan(h)), PeakTrend.MIN_DAYS);
        }
        String at = horizon.toSeconds() % DAY_SECONDS == 0 ? horizon.toDays() + "-day" : span(horizon);
        return from + String.format(Locale.ROOT, "; %,d at the %s horizon × %s headroom", projected, at, headroomText());
    }

    /** What the size is, and what capped it. */
    private String sizing(HostHistory h, long required, TableSize size, long bpe, OptionalLong budget) {
        StringBuilder s = new StringBuilder();
        if (size.capped()) {
            long neededCost = TableSize.cost(required,
                    Math.max(h.buckets(), Math.min(required, KernelLimits.MAX_BUCKETS)), bpe);
            s.append(String.format(Locale.ROOT, "; it needs %,d (%s) but %s: ", required, bytes(neededCost),
                    capReason(size, budget)));
            s.append(size.max() > h.max()
                    ? String.format(Locale.ROOT, "capped at nf_conntrack_max %,d (%s)", size.max(),
                            bytes(TableSize.cost(size.max(), size.buckets(), bpe)))
                    : String.format(Locale.ROOT, "today's %,d stays, nothing larger fits", h.max()));
        } else if (size.max() > h.max()) {
            s.append(String.format(Locale.ROOT, " → nf_conntrack_max %,d", size.max()));
        } else if (required < h.max()) {
            s.append(String.format(Locale.ROOT, "; the current max %,d covers it (%,d would do; ctfleet never"
                    + " recommends shrinking)", h.max(), required));
        } else {
            s.append(String.format(Locale.ROOT, "; the current max %,d covers it", h.max()));
        }
        if (h.buckets() <= 0) {
            s.append(String.format(Locale.ROOT, "; hash size unknown (not in an import; read it from"
                    + " /sys/module/nf_conntrack/parameters/hashsize): %,d give chains of 2 when full", size.buckets()));
        } else if (size.buckets() != h.buckets() && size.max() == h.max()) {
            s.append(String.format(Locale.ROOT, "; hash size %,d: at its peak today's %,d buckets give chains of %.1f"
                    + " (every entry is hashed twice), %,d give 2 when full", size.buckets(), h.buckets(),
                    2.0 * peakOf(h) / Math.max(1, h.buckets()), size.buckets()));
        } else if (size.buckets() != h.buckets()) {
            s.append(String.format(Locale.ROOT, ", hash size %,d (chains of 2 when full)", size.buckets()));
        }
        return s.toString();
    }

    private String capReason(TableSize size, OptionalLong budget) {
        if (size.cappedBy().equals("memory")) {
            return String.format(Locale.ROOT, "%.0f%% of MemTotal %s is %s", maxMemoryShare * 100,
                    bytes(Math.round(budget.getAsLong() / maxMemoryShare)), bytes(budget.getAsLong()));
        }
        return String.format(Locale.ROOT, "the kernel takes at most %,d for nf_conntrack_max (INT_MAX) and %,d hash"
                + " buckets", KernelLimits.MAX_CONNTRACK_MAX, KernelLimits.MAX_BUCKETS);
    }

    private static String describe(LevelShift s) {
        return String.format(Locale.ROOT, "stepped up from %,d to %,d within %s at %s, %s; a line through the step"
                + " would read it as growth", s.from(), s.to(), span(s.took()), s.at(), s.fresh()
                        ? span(s.held()) + " ago" : String.format(Locale.ROOT, "and has held about %,d for %s since",
                                s.level(), span(s.held())));
    }

    private static long peakOf(HostHistory h) {
        long peak = h.count();
        for (CountPoint p : h.points()) {
            peak = Math.max(peak, Peaks.of(p));
        }
        return peak;
    }

    private static Duration historySpan(HostHistory h) {
        List<CountPoint> pts = h.points();
        return pts.size() < 2 ? Duration.ZERO : Duration.between(pts.get(0).ts(), pts.get(pts.size() - 1).ts());
    }

    /** 45 s, 12 min, 5.5 h, 3.0 days. */
    static String span(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        if (s < 2 * DAY_SECONDS) {
            return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
        }
        return String.format(Locale.ROOT, "%.1f days", s / (double) DAY_SECONDS);
    }

    /** 528.0 MiB, 1.03 GiB. */
    static String bytes(long b) {
        if (b < 1024L * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
    }

    static long nextPowerOfTwo(long n) {
        if (n <= 1) {
            return 1;
        }
        return Long.highestOneBit(n - 1) << 1;
    }
}
