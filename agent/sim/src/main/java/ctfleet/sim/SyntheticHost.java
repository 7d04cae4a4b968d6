package ctfleet.sim;

import ctfleet.agent.procfs.BytesPerEntry;
import ctfleet.agent.procfs.Limits;
import ctfleet.agent.procfs.MemInfo;
import ctfleet.agent.procfs.Slabinfo;
import ctfleet.agent.procfs.StatTable;
import ctfleet.agent.sample.Reading;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A simulated host's conntrack state as a pure function of time: what its /proc would have said at
 * a given instant. No state, no clock, no I/O: the same profile and instant always give the same
 * {@link Reading}, so a simulation is reproducible and its shapes are unit-testable.
 *
 * <p>Counters are modelled as the kernel keeps them: each CPU has its own 32-bit counter that wraps,
 * and the agent sums them, so the sum drops by 2^32 whenever one CPU's counter wraps.
 */
public final class SyntheticHost {
    /** The columns of Linux 6.x's /proc/net/stat/nf_conntrack, {@code entries} aside, in its order. */
    static final String[] COLUMNS = {"clashres", "found", "new", "invalid", "ignore", "delete", "chainlength",
        "insert", "insert_failed", "drop", "early_drop", "icmp_error", "expect_new", "expect_create",
        "expect_delete", "search_restart"};
    private static final long WRAP = 1L << 32;
    private static final double DAY = 86_400;
    // Linux 6.18's defaults, seconds; the same map every tick, so the agent sends them only once.
    private static final SortedMap<String, Long> TIMEOUTS = Collections.unmodifiableSortedMap(new TreeMap<>(Map.ofEntries(
            Map.entry("generic_timeout", 600L), Map.entry("icmp_timeout", 30L), Map.entry("icmpv6_timeout", 30L),
            Map.entry("tcp_timeout_close", 10L), Map.entry("tcp_timeout_close_wait", 60L),
            Map.entry("tcp_timeout_established", 432_000L), Map.entry("tcp_timeout_fin_wait", 120L),
            Map.entry("tcp_timeout_last_ack", 30L), Map.entry("tcp_timeout_max_retrans", 300L),
            Map.entry("tcp_timeout_syn_recv", 60L), Map.entry("tcp_timeout_syn_sent", 120L),
            Map.entry("tcp_timeout_time_wait", 120L), Map.entry("tcp_timeout_unacknowledged", 300L),
            Map.entry("udp_timeout", 30L), Map.entry("udp_timeout_stream", 120L))));

    private final HostProfile p;
    /** A pair host's partner's base fill (of the same max): what it carries while the partner is failed over. */
    private final double partnerLevel;
    private final double originSec;
    private final double bootSec;
    // Per column and CPU: what the counter held when the host booted, so that wrapping hosts cross 2^32 on time.
    private final long[][] offsets;

    public SyntheticHost(HostProfile profile) {
        this(profile, 0);
    }

    public SyntheticHost(HostProfile profile, double partnerLevel) {
        this.p = profile;
        this.partnerLevel = partnerLevel;
        this.originSec = seconds(profile.origin());
        this.bootSec = seconds(profile.boot());
        this.offsets = new long[COLUMNS.length][profile.cpus()];
        if (profile.wraps()) {
            double at = originSec + profile.wrapAfter();
            for (int k = 0; k < COLUMNS.length; k++) {
                double total = total(k, at);
                for (int c = 0; c < profile.cpus(); c++) {
                    offsets[k][c] = Math.floorMod(-(long) Math.floor(profile.cpuShares()[c] * total), WRAP);
                }
            }
        }
    }

    /** Host {@code index} of the fleet of {@code seed}, following {@code scenario} from {@code origin}. */
    public static SyntheticHost of(long seed, int index, Scenario scenario, Instant origin) {
        return of(seed, index, scenario, origin, -1);
    }

    /** As above, one of a pair with host {@code partner} ({@link FleetMix#partners}; -1 for none). */
    public static SyntheticHost of(long seed, int index, Scenario scenario, Instant origin, int partner) {
        HostProfile own = HostProfile.draw(seed, index, scenario, origin, partner);
        if (!own.paired()) {
            return new SyntheticHost(own);
        }
        return new SyntheticHost(own, HostProfile.draw(seed, partner, scenario, origin, index).level());
    }

    public HostProfile profile() {
        return p;
    }

    /** What this host's /proc says at {@code t}. */
    public Reading readingAt(Instant t) {
        double s = seconds(t);
        long count = count(s);
        Map<String, Long> counters = new LinkedHashMap<>();
        for (int k = 0; k < COLUMNS.length; k++) {
            counters.put(COLUMNS[k], perCpuSum(k, s));
        }
        Limits limits = new Limits(count, p.max(), p.buckets(), p.expectMax(), 0);
        StatTable stats = new StatTable(count, counters, p.cpus(), 0);
        return new Reading(t, Optional.of(limits), Optional.of(stats), TIMEOUTS, p.bootId(),
                Optional.of(SyntheticEntries.at(p, count, leaked(count))),
                new BytesPerEntry(Slabinfo.ESTIMATED_BYTES_PER_ENTRY, true),
                new MemInfo(OptionalLong.of(p.memTotalBytes()), 0));
    }

    /**
     * Leaked entries in a table of {@code count}: everything above the host's ordinary traffic,
     * which for a leaking host is the part of its starting level that had not leaked yet.
     */
    long leaked(long count) {
        if (p.scenario() != Scenario.LEAK) {
            return 0;
        }
        long ordinary = Math.round(p.level() * (1 - p.leakedAtOrigin()) * p.max());
        return Math.max(0, count - ordinary);
    }

    long count(double s) {
        double f = fill(s);
        if (f >= 1) {
            return p.max();
        }
        f *= 1 + p.noise() * (2 * noise(s) - 1);
        return Math.max(0, Math.min(p.max(), Math.round(f * p.max())));
    }

    /** count / max before noise; 1 means pinned at the limit. */
    double fill(double s) {
        double days = Math.max(0, s - originSec) / DAY;
        double f = switch (p.scenario()) {
            case FLAT -> p.level();
            case DIURNAL -> {
                double hour = Math.floorMod((long) Math.floor(s), (long) DAY) / 3600.0;
                yield p.level() + p.amplitude() * Math.cos(2 * Math.PI * (hour - p.peakHourUtc()) / 24);
            }
            // Compound growth from level to full in daysToFull days.
            case GROWTH -> p.level() * Math.exp(-Math.log(p.level()) * days / p.daysToFull());
            case LEAK -> p.level() + (1 - p.level()) * days / p.daysToFull();
            case SPIKE -> inSpike(s) ? 1 : p.level();
            case FULL -> 1;
            case PAIR -> switch (pairRole(s)) {
                case FAILED -> 0.01; // a few flows still pinned to it
                case SURVIVOR -> p.level() + partnerLevel;
                default -> p.level();
            };
        };
        return Math.min(1, f);
    }

    /** Seconds since boot that the table spent full, which is when the kernel drops. */
    double secondsFull(double s) {
        return switch (p.scenario()) {
            case FLAT, DIURNAL -> 0;
            case GROWTH, LEAK -> Math.max(0, s - (originSec + p.daysToFull() * DAY));
            case SPIKE -> spikeSeconds(s) - spikeSeconds(bootSec);
            case FULL -> s - bootSec;
            case PAIR -> p.paired() && p.level() + partnerLevel >= 1 ? survivorSeconds(s) - survivorSeconds(bootSec) : 0;
        };
    }

    enum PairRole { OWN, FAILED, SURVIVOR }

    /**
     * Failover k (counted from the epoch) is the lower-indexed host's when k is even, its
     * partner's when odd: turn about, as an operator fails back after an upgrade.
     */
    PairRole pairRole(double s) {
        if (!p.paired()) {
            return PairRole.OWN;
        }
        double u = s - p.pairPhase();
        long k = (long) Math.floor(u / p.pairEvery());
        if (u - k * (double) p.pairEvery() >= p.pairFor()) {
            return PairRole.OWN;
        }
        return Math.floorMod(k, 2) == failsOn() ? PairRole.FAILED : PairRole.SURVIVOR;
    }

    /** The parity of the failovers in which this host is the one that fails. */
    private int failsOn() {
        return p.pairFirst() ? 0 : 1;
    }

    /** Seconds from the epoch to s that this host carried both loads. */
    private double survivorSeconds(double s) {
        double u = s - p.pairPhase();
        long periods = (long) Math.floor(u / p.pairEvery());
        double into = u - periods * (double) p.pairEvery();
        int survives = 1 - failsOn();
        // Failovers 0 .. periods-1 are over; of them, those of this host's parity it survived.
        long done = survives == 0 ? Math.floorDiv(periods + 1, 2) : Math.floorDiv(periods, 2);
        double now = Math.floorMod(periods, 2) == survives ? Math.min(into, p.pairFor()) : 0;
        return done * (double) p.pairFor() + now;
    }

    private boolean inSpike(double s) {
        return Math.floorMod((long) Math.floor(s) - p.spikePhase(), p.spikeEvery()) < p.spikeFor();
    }

    /** Seconds of bursts from the epoch to s: whole periods plus the current one's part. */
    private double spikeSeconds(double s) {
        double u = s - p.spikePhase();
        double periods = Math.floor(u / p.spikeEvery());
        double into = u - periods * p.spikeEvery();
        return periods * p.spikeFor() + Math.min(into, p.spikeFor());
    }

    /** Counter {@code k} summed over every CPU since boot, before 32-bit wrapping. */
    private double total(int k, double s) {
        double up = Math.max(0, s - bootSec);
        double insert = p.insertRate();
        return switch (COLUMNS[k]) {
            case "insert" -> insert * up;
            case "found" -> insert * 0.25 * up;
            case "ignore" -> insert * 0.5 * up;
            case "invalid" -> insert * 0.002 * up;
            case "icmp_error" -> insert * 0.001 * up;
            case "search_restart" -> insert * 0.0005 * up;
            case "clashres" -> insert * 0.0001 * up;
            case "early_drop" -> p.dropRate() * secondsFull(s);
            case "drop" -> p.dropRate() * 0.2 * secondsFull(s);
            case "insert_failed" -> p.dropRate() * 0.1 * secondsFull(s);
            default -> 0;
        };
    }

    private long perCpuSum(int k, double s) {
        double total = total(k, s);
        long sum = 0;
        for (int c = 0; c < p.cpus(); c++) {
            sum += Math.floorMod(offsets[k][c] + (long) Math.floor(p.cpuShares()[c] * total), WRAP);
        }
        return sum;
    }

    /** Uniform in [0, 1), a pure function of the host and the second. */
    private double noise(double s) {
        long z = HostProfile.mix(p.noiseKey(), (long) Math.floor(s));
        return (z >>> 11) * 0x1.0p-53;
    }

    private static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }
}
