package ctfleet.sim;

import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Everything that makes one simulated host itself, drawn once from (seed, host index): its size,
 * its CPUs, its level and rates, where its day peaks, and whether its counters start near 2^32.
 *
 * @param origin        when the scenario starts (the simulation's first instant): growth and leak count from here
 * @param boot          when the host booted: its kernel counters count from here
 * @param level         the base fill (count / max) of the scenario
 * @param amplitude     diurnal swing as a fraction of max (0 for shapes without a day cycle)
 * @param peakHourUtc   the hour of day (UTC) when a diurnal host is fullest: 20:00 local in its data centre
 * @param daysToFull    growth and leak: days from origin until count reaches max
 * @param spikeEvery    spike: seconds between the starts of two bursts
 * @param spikeFor      spike: seconds a burst holds the table full
 * @param spikePhase    spike: seconds after the epoch of the first burst's start, modulo spikeEvery
 * @param insertRate    new entries per second at the base level (count / mean entry lifetime)
 * @param dropRate      early_drop per second while the table is full; drop and insert_failed follow from it
 * @param cpuShares     each CPU's share of every counter (they sum to 1)
 * @param wrapAfter     seconds after origin when every per-CPU counter wraps past 2^32; negative for none
 * @param noiseKey      seeds the host's noise, which is a pure function of (noiseKey, second)
 * @param memTotalBytes the host's MemTotal: 2 to 64 GiB of RAM less what the kernel keeps for itself
 * @param mix           how its ordinary traffic fills the table (the entry breakdown it reports)
 * @param leakedAtOrigin leak: the share of the starting level that is already leaked entries (the
 *                      leak began before the simulation did); 0 for every other scenario
 * @param leakTarget    picks the addresses of the host's busy destinations and of a leak's client and server
 * @param partner       pair: the index of the other gateway of the pair; -1 for every other scenario
 * @param pairEvery     pair: seconds between the starts of two failovers (either way)
 * @param pairFor       pair: seconds a failover lasts
 * @param pairPhase     pair: seconds after the epoch of a failover's start, modulo pairEvery
 * @param pairFirst     pair: this host has the lower index of the two, and fails in the even failovers
 *
 * <p>The two of a pair share their data centre, table size, hash size and MemTotal.
 */
public record HostProfile(
        String hostId,
        String dc,
        Scenario scenario,
        Instant origin,
        Instant boot,
        String bootId,
        long max,
        long buckets,
        long expectMax,
        double level,
        double amplitude,
        double noise,
        int peakHourUtc,
        double daysToFull,
        long spikeEvery,
        long spikeFor,
        long spikePhase,
        double insertRate,
        double dropRate,
        double[] cpuShares,
        long wrapAfter,
        long noiseKey,
        long memTotalBytes,
        EntryMix mix,
        double leakedAtOrigin,
        int leakTarget,
        int partner,
        long pairEvery,
        long pairFor,
        long pairPhase,
        boolean pairFirst) {

    static final long[] MAXES = {65536, 131072, 262144, 524288, 1048576};
    static final int[] MAX_WEIGHTS = {25, 20, 30, 15, 10};
    static final int[] CPUS = {2, 4, 8, 16, 32};
    static final int[] CPU_WEIGHTS = {15, 35, 30, 15, 5};
    // 20:00 local is the evening peak; in UTC that is 19 in Frankfurt, 01 in Virginia, 12 in Singapore.
    static final Map<String, Integer> DC_PEAK_UTC = Map.of("fra1", 19, "iad1", 1, "sin1", 12);
    static final String[] DCS = {"fra1", "iad1", "sin1"};
    static final long GIB = 1L << 30;
    // RAM sizes of NAT gateways, from a small cloud NAT instance to big appliances; drawn apart from
    // the table size, so some hosts have a table too large for their memory (their plans get capped).
    static final long[] RAM_GIB = {2, 4, 8, 16, 32, 64};
    static final int[] RAM_WEIGHTS = {10, 20, 25, 20, 15, 10};

    /** Draws host {@code index} of the fleet of {@code seed}: the same arguments always give the same host. */
    public static HostProfile draw(long seed, int index, Scenario scenario, Instant origin) {
        return draw(seed, index, scenario, origin, -1);
    }

    /**
     * As above, for one of a pair with host {@code partner} (-1: none, and a pair host without one
     * never fails over): both draw the size and the failover times from the pair's own stream, so
     * the two have the same table, as HA pairs are built, and fail over at the same instants.
     */
    public static HostProfile draw(long seed, int index, Scenario scenario, Instant origin, int partner) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, index));
        String dc = DCS[rnd.nextInt(DCS.length)];
        long max = MAXES[weighted(rnd, MAX_WEIGHTS)];
        // Older kernels default to max = 4 x buckets; tuned hosts set buckets = max (one entry per chain).
        long buckets = rnd.nextInt(10) < 7 ? max / 4 : max;
        int cpus = CPUS[weighted(rnd, CPU_WEIGHTS)];
        double[] shares = new double[cpus];
        double sum = 0;
        for (int c = 0; c < cpus; c++) {
            shares[c] = 0.5 + rnd.nextDouble();
            sum += shares[c];
        }
        for (int c = 0; c < cpus; c++) {
            shares[c] /= sum;
        }
        Instant boot = origin.minusSeconds(3600L + rnd.nextLong(200L * 86400));
        String bootId = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
        double level;
        double amplitude = 0;
        double noise = 0.01;
        double daysToFull = 0;
        switch (scenario) {
            case FLAT -> level = 0.05 + 0.40 * rnd.nextDouble();
            case DIURNAL -> {
                level = 0.15 + 0.35 * rnd.nextDouble();
                amplitude = level * (0.3 + 0.4 * rnd.nextDouble());
            }
            case GROWTH -> {
                level = 0.2 + 0.3 * rnd.nextDouble();
                daysToFull = 1 + 6 * rnd.nextDouble();
            }
            case LEAK -> {
                level = 0.1 + 0.2 * rnd.nextDouble();
                daysToFull = 5 + 25 * rnd.nextDouble();
            }
            case SPIKE -> level = 0.15 + 0.2 * rnd.nextDouble();
            // Two together are 50 % to 120 % of one's max: some survivors hold both, some overflow.
            case PAIR -> level = 0.25 + 0.35 * rnd.nextDouble();
            default -> level = 1.0;
        }
        long spikeEvery = 3600L * (6 + rnd.nextInt(19));
        long spikeFor = 60L * (10 + rnd.nextInt(31));
        long spikePhase = rnd.nextLong(spikeEvery);
        double lifetime = 60 + 240 * rnd.nextDouble();
        double insertRate = Math.max(1, level * max / lifetime);
        double dropRate = 50 + 1950 * rnd.nextDouble();
        // One host in twenty, and full hosts of even index, have counters about to wrap: a full host's
        // early_drop rate must survive the wrap, which is where a rate computation goes wrong.
        long wrapAfter = rnd.nextInt(20) == 0 || (scenario == Scenario.FULL && index % 2 == 0)
                ? 30 + rnd.nextLong(600) : -1;
        String hostId = dc + "-gw-" + String.format("%04d", index + 1);
        long noiseKey = rnd.nextLong();
        // Drawn after everything above, so a seed's fleet keeps the counts it always had.
        long ram = RAM_GIB[weighted(rnd, RAM_WEIGHTS)] * GIB;
        // MemTotal is the RAM less what firmware and the kernel image keep: 1.5 to 4.5 % of it.
        long memTotal = Math.round(ram * (1 - 0.015 - 0.03 * rnd.nextDouble())) / 1024 * 1024;
        EntryMix mix = EntryMix.draw(rnd);
        double leakedAtOrigin = 0.4 + 0.3 * rnd.nextDouble();
        int leakTarget = rnd.nextInt(1 << 16);
        long pairEvery = 0;
        long pairFor = 0;
        long pairPhase = 0;
        if (scenario == Scenario.PAIR && partner >= 0) {
            // The pair's own stream (the same for both, whichever asks), apart from every host's.
            SplittableRandom pair = new SplittableRandom(mix(seed ^ 0x5041495253L, Math.min(index, partner)));
            max = MAXES[weighted(pair, MAX_WEIGHTS)];
            buckets = pair.nextBoolean() ? max / 4 : max;
            insertRate = Math.max(1, level * max / lifetime);
            pairEvery = 3600L * (8 + pair.nextInt(9));
            pairFor = 60L * (45 + pair.nextInt(76));
            pairPhase = pair.nextLong(pairEvery);
            long pairRam = RAM_GIB[weighted(pair, RAM_WEIGHTS)] * GIB;
            memTotal = Math.round(pairRam * (1 - 0.015 - 0.03 * pair.nextDouble())) / 1024 * 1024;
            // Both in one data centre: a VRRP pair shares a LAN.
            dc = DCS[pair.nextInt(DCS.length)];
            hostId = dc + "-gw-" + String.format("%04d", index + 1);
        }
        return new HostProfile(hostId, dc, scenario, origin, boot, bootId, max, buckets, Math.max(1, buckets / 256),
                level, amplitude, noise, DC_PEAK_UTC.get(dc), daysToFull, spikeEvery, spikeFor, spikePhase,
                insertRate, dropRate, shares, wrapAfter, noiseKey, memTotal, mix,
                scenario == Scenario.LEAK ? leakedAtOrigin : 0, leakTarget, scenario == Scenario.PAIR ? partner : -1,
                pairEvery, pairFor, pairPhase, index < partner);
    }

    public int cpus() {
        return cpuShares.length;
    }

    public boolean wraps() {
        return wrapAfter >= 0;
    }

    /** Whether this host fails over with a partner. */
    public boolean paired() {
        return partner >= 0 && pairEvery > 0;
    }

    /** Labels for the hello: where the host is and what the simulation made it do. */
    public Map<String, String> labels() {
        return Map.of("dc", dc, "scenario", scenario.label());
    }

    private static int weighted(SplittableRandom rnd, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = rnd.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** SplitMix64's finaliser: neighbouring (seed, index) pairs give unrelated streams. */
    static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
