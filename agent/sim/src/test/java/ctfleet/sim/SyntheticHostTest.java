package ctfleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.sample.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SyntheticHostTest {
    static final Instant ORIGIN = Instant.parse("2026-03-02T00:00:00Z");
    static final long SEED = 42;
    static final long WRAP = 1L << 32;

    static long count(Reading r) {
        return r.limits().orElseThrow().count();
    }

    static long max(Reading r) {
        return r.limits().orElseThrow().max();
    }

    static long stat(Reading r, String name) {
        return r.stats().orElseThrow().counters().get(name);
    }

    /** The increase of a summed 32-bit-per-CPU counter, as a server must compute it across a wrap. */
    static long increase(long before, long after) {
        return Math.floorMod(after - before, WRAP);
    }

    @Test
    void sameSeedAndIndexGiveTheSameHostAndReadings() {
        Instant t = ORIGIN.plus(Duration.ofHours(5));
        for (Scenario s : Scenario.values()) {
            assertEquals(SyntheticHost.of(SEED, 7, s, ORIGIN).readingAt(t), SyntheticHost.of(SEED, 7, s, ORIGIN).readingAt(t), s.name());
        }
        assertNotEquals(SyntheticHost.of(SEED, 7, Scenario.FLAT, ORIGIN).profile().bootId(),
                SyntheticHost.of(SEED + 1, 7, Scenario.FLAT, ORIGIN).profile().bootId());
    }

    @Test
    void limitsAreRealisticKernelSizes() {
        Set<Long> sizes = Set.of(65536L, 131072L, 262144L, 524288L, 1048576L);
        for (int i = 0; i < 200; i++) {
            HostProfile p = HostProfile.draw(SEED, i, Scenario.FLAT, ORIGIN);
            assertTrue(sizes.contains(p.max()), "max " + p.max());
            assertTrue(p.buckets() == p.max() || p.buckets() == p.max() / 4, "buckets " + p.buckets());
            assertTrue(p.hostId().matches("[a-z0-9]+-gw-\\d{4}"), p.hostId());
            Reading r = new SyntheticHost(p).readingAt(ORIGIN.plusSeconds(i * 997L));
            assertTrue(count(r) > 0 && count(r) < max(r), "a flat host is neither empty nor full: " + count(r));
            assertEquals(p.cpus(), r.stats().orElseThrow().cpus());
        }
    }

    @Test
    void growthIncreasesDayOverDayThenPinsAtMaxAndDrops() {
        SyntheticHost h = SyntheticHost.of(SEED, 3, Scenario.GROWTH, ORIGIN);
        long previous = -1;
        for (int day = 0; day < 8; day++) {
            Reading r = h.readingAt(ORIGIN.plus(Duration.ofDays(day)).plusSeconds(1));
            assertTrue(count(r) > previous || count(r) == max(r), "day " + day + ": " + count(r) + " after " + previous);
            previous = count(r);
        }
        Instant full = ORIGIN.plusSeconds(Math.round(h.profile().daysToFull() * 86400));
        Reading justFull = h.readingAt(full.plusSeconds(60));
        Reading later = h.readingAt(full.plusSeconds(3600));
        assertEquals(max(later), count(later));
        assertTrue(increase(stat(justFull, "early_drop"), stat(later, "early_drop")) > 0, "dropping once full");
        assertEquals(0, increase(stat(h.readingAt(ORIGIN), "early_drop"), stat(h.readingAt(full.minusSeconds(60)), "early_drop")),
                "no drops before the table is full");
    }

    @Test
    void diurnalPeaksAtEightInTheEveningInItsDataCentre() {
        for (int i = 0; i < 6; i++) {
            SyntheticHost h = SyntheticHost.of(SEED, i, Scenario.DIURNAL, ORIGIN);
            int peak = h.profile().peakHourUtc();
            assertEquals(HostProfile.DC_PEAK_UTC.get(h.profile().dc()), peak);
            int busiest = IntStream.range(0, 24).boxed()
                    .max((a, b) -> Long.compare(count(h.readingAt(ORIGIN.plus(Duration.ofHours(a)))),
                            count(h.readingAt(ORIGIN.plus(Duration.ofHours(b))))))
                    .orElseThrow();
            int off = Math.min(Math.floorMod(busiest - peak, 24), Math.floorMod(peak - busiest, 24));
            assertTrue(off <= 1, h.profile().hostId() + " busiest at " + busiest + ", expected " + peak);
            long atPeak = count(h.readingAt(ORIGIN.plus(Duration.ofHours(peak))));
            long atTrough = count(h.readingAt(ORIGIN.plus(Duration.ofHours(peak + 12))));
            assertTrue(atPeak > atTrough * 1.5, atPeak + " vs " + atTrough);
        }
    }

    @Test
    void fullHostStaysAtMaxWhileEarlyDropAndDropClimb() {
        SyntheticHost h = SyntheticHost.of(SEED, 1, Scenario.FULL, ORIGIN);
        Reading previous = h.readingAt(ORIGIN);
        for (int minute = 1; minute <= 60; minute++) {
            Reading r = h.readingAt(ORIGIN.plus(Duration.ofMinutes(minute)));
            assertEquals(max(r), count(r));
            long earlyDrops = increase(stat(previous, "early_drop"), stat(r, "early_drop"));
            assertEquals(h.profile().dropRate() * 60, earlyDrops, h.profile().cpus() + 1.0, "early_drop rate");
            assertTrue(increase(stat(previous, "drop"), stat(r, "drop")) > 0, "drop climbs");
            assertTrue(increase(stat(previous, "insert_failed"), stat(r, "insert_failed")) > 0, "insert_failed climbs");
            previous = r;
        }
    }

    @Test
    void countersOfAWrappingHostCrossTwoToTheThirtyTwoAndTheIncreaseStaysExact() {
        HostProfile p = IntStream.range(0, 100).mapToObj(i -> HostProfile.draw(SEED, i, Scenario.FULL, ORIGIN))
                .filter(HostProfile::wraps).findFirst().orElseThrow();
        SyntheticHost h = new SyntheticHost(p);
        Instant wrap = ORIGIN.plusSeconds(p.wrapAfter());
        Reading before = h.readingAt(wrap.minusSeconds(5));
        Reading after = h.readingAt(wrap.plusSeconds(5));
        for (String counter : List.of("insert", "early_drop")) {
            assertTrue(stat(after, counter) < stat(before, counter), counter + " sum drops when the CPUs wrap");
        }
        double expected = p.dropRate() * 10;
        assertEquals(expected, increase(stat(before, "early_drop"), stat(after, "early_drop")), p.cpus() + 1.0);
        long perCpuMax = (WRAP - 1) * p.cpus();
        assertTrue(stat(before, "insert") <= perCpuMax && stat(before, "insert") > perCpuMax / 2,
                "near the top before: " + stat(before, "insert"));
    }

    @Test
    void spikeFillsTheTableForItsBurstThenFallsBack() {
        SyntheticHost h = SyntheticHost.of(SEED, 5, Scenario.SPIKE, ORIGIN);
        HostProfile p = h.profile();
        long epoch = ORIGIN.getEpochSecond();
        long burst = epoch - Math.floorMod(epoch - p.spikePhase(), p.spikeEvery()) + p.spikeEvery();
        Reading quiet = h.readingAt(Instant.ofEpochSecond(burst - 60));
        Reading during = h.readingAt(Instant.ofEpochSecond(burst + p.spikeFor() / 2));
        Reading end = h.readingAt(Instant.ofEpochSecond(burst + p.spikeFor()));
        Reading after = h.readingAt(Instant.ofEpochSecond(burst + p.spikeFor() + 60));
        assertTrue(count(quiet) < max(quiet) / 2, "quiet before");
        assertEquals(max(during), count(during));
        assertTrue(count(after) < max(after) / 2, "quiet after");
        assertEquals(0, increase(stat(h.readingAt(Instant.ofEpochSecond(burst - 600)), "early_drop"), stat(quiet, "early_drop")));
        assertEquals(p.dropRate() * p.spikeFor(), increase(stat(quiet, "early_drop"), stat(end, "early_drop")), p.cpus() + 1.0);
        assertEquals(stat(end, "early_drop"), stat(after, "early_drop"), "no drops once the burst is over");
    }

    @Test
    void aPairFailsOverTurnAboutAndTheSurvivorCarriesBoth() {
        int overflowing = 0;
        for (int first = 0; first < 40; first += 2) {
            SyntheticHost a = SyntheticHost.of(SEED, first, Scenario.PAIR, ORIGIN, first + 1);
            SyntheticHost b = SyntheticHost.of(SEED, first + 1, Scenario.PAIR, ORIGIN, first);
            HostProfile pa = a.profile();
            HostProfile pb = b.profile();
            assertEquals(pa.max(), pb.max(), "an HA pair is built of two alike");
            assertEquals(pa.memTotalBytes(), pb.memTotalBytes());
            assertEquals(pa.dc(), pb.dc(), "a VRRP pair shares a LAN");
            assertEquals(pa.dc(), pa.hostId().substring(0, 4));
            assertEquals(pa.pairEvery(), pb.pairEvery());
            assertTrue(pa.pairEvery() >= 8 * 3600 && pa.pairEvery() <= 16 * 3600 && pa.pairFor() >= 45 * 60
                    && pa.pairFor() <= 120 * 60, pa.toString());
            boolean full = pa.level() + pb.level() >= 1;
            overflowing += full ? 1 : 0;
            int aFailed = 0;
            int bFailed = 0;
            Reading prevA = a.readingAt(ORIGIN);
            Reading prevB = b.readingAt(ORIGIN);
            for (int minute = 1; minute <= 3 * 1440; minute++) {
                Instant t = ORIGIN.plusSeconds(60L * minute);
                SyntheticHost.PairRole ra = a.pairRole(t.getEpochSecond());
                SyntheticHost.PairRole rb = b.pairRole(t.getEpochSecond());
                Reading ka = a.readingAt(t);
                Reading kb = b.readingAt(t);
                switch (ra) {
                    case OWN -> assertEquals(SyntheticHost.PairRole.OWN, rb);
                    case FAILED -> {
                        assertEquals(SyntheticHost.PairRole.SURVIVOR, rb);
                        aFailed++;
                        assertTrue(count(ka) < 0.02 * pa.max(), "a few flows stay on the one that failed");
                        assertEquals(Math.min(pa.max(), (pa.level() + pb.level()) * pa.max()), count(kb),
                                0.03 * pa.max());
                    }
                    case SURVIVOR -> {
                        assertEquals(SyntheticHost.PairRole.FAILED, rb);
                        bFailed++;
                    }
                }
                // Only a survivor holding more than its max refuses connections.
                long dropsA = increase(stat(prevA, "early_drop"), stat(ka, "early_drop"));
                long dropsB = increase(stat(prevB, "early_drop"), stat(kb, "early_drop"));
                SyntheticHost.PairRole wasB = b.pairRole(t.getEpochSecond() - 60);
                if (!(full && (ra == SyntheticHost.PairRole.SURVIVOR || a.pairRole(t.getEpochSecond() - 60)
                        == SyntheticHost.PairRole.SURVIVOR))) {
                    assertEquals(0, dropsA, first + " at minute " + minute);
                }
                if (full && rb == SyntheticHost.PairRole.SURVIVOR && wasB == SyntheticHost.PairRole.SURVIVOR) {
                    assertEquals(pb.dropRate() * 60, dropsB, pb.cpus() + 1.0, "b refuses while it carries both");
                } else if (!full) {
                    assertEquals(0, dropsB, first + " at minute " + minute);
                }
                prevA = ka;
                prevB = kb;
            }
            // Three days at every 8-16 h: both have failed, turn about.
            assertTrue(aFailed > 0 && bFailed > 0, first + ": " + aFailed + " " + bFailed);
            assertEquals(aFailed, bFailed, pa.pairFor() / 60.0 + 1, "turn about");
        }
        assertTrue(overflowing > 0 && overflowing < 20, overflowing + " of 20 pairs overflow");
    }

    @Test
    void aPairHostWithoutAPartnerNeverFailsOver() {
        SyntheticHost h = SyntheticHost.of(SEED, 3, Scenario.PAIR, ORIGIN);
        for (int hour = 0; hour < 72; hour++) {
            assertEquals(SyntheticHost.PairRole.OWN, h.pairRole(ORIGIN.getEpochSecond() + 3600.0 * hour));
        }
        assertEquals(0, increase(stat(h.readingAt(ORIGIN), "early_drop"),
                stat(h.readingAt(ORIGIN.plus(Duration.ofDays(3))), "early_drop")));
    }

    @Test
    void leakRisesSlowlyAndSteadily() {
        SyntheticHost h = SyntheticHost.of(SEED, 9, Scenario.LEAK, ORIGIN);
        long day0 = count(h.readingAt(ORIGIN));
        long day1 = count(h.readingAt(ORIGIN.plus(Duration.ofDays(1))));
        long day2 = count(h.readingAt(ORIGIN.plus(Duration.ofDays(2))));
        assertTrue(day0 < day1 && day1 < day2, day0 + " " + day1 + " " + day2);
        long perDay = Math.round((1 - h.profile().level()) * h.profile().max() / h.profile().daysToFull());
        assertEquals(perDay, day2 - day1, h.profile().max() * 0.03, "linear");
        assertTrue(day2 - day1 < h.profile().max() / 5, "slow: under a fifth of the table a day");
    }

    @Test
    void timeoutsAreTheSameMapEveryTickSoTheAgentSendsThemOnce() {
        SyntheticHost h = SyntheticHost.of(SEED, 0, Scenario.FLAT, ORIGIN);
        Map<String, Long> t = h.readingAt(ORIGIN).timeouts();
        assertEquals(432_000L, t.get("tcp_timeout_established"));
        assertEquals(t, h.readingAt(ORIGIN.plusSeconds(10)).timeouts());
    }

    static double establishedShare(Reading r) {
        var e = r.entries().orElseThrow();
        long est = e.states().stream().filter(c -> c.state().equals("ESTABLISHED")).mapToLong(c -> c.sampled()).sum();
        return (double) est / e.sampleSize();
    }

    @Test
    void everyHostReportsAPlausibleMemTotalAndSomeAreSmallForTheirTable() {
        int small = 0;
        for (int i = 0; i < 200; i++) {
            HostProfile p = HostProfile.draw(SEED, i, Scenario.FLAT, ORIGIN);
            long mem = new SyntheticHost(p).readingAt(ORIGIN).memInfo().memTotalBytes().orElseThrow();
            assertTrue(mem > HostProfile.GIB && mem < 64L * HostProfile.GIB, "MemTotal " + mem);
            assertEquals(0, mem % 1024, "the kernel reports whole KiB");
            assertEquals(mem, HostProfile.draw(SEED, i, Scenario.FLAT, ORIGIN).memTotalBytes(), "deterministic");
            // A table four times as large (what a full host's hidden demand with headroom can ask for)
            // would cost more than a quarter of this host's memory: its plan gets capped.
            if (4 * p.max() * (256 + 8) > mem / 4) {
                small++;
            }
        }
        assertTrue(small > 5, "some hosts cannot afford a doubled table: " + small);
    }

    @Test
    void everyMixIsAWholeTable() {
        for (int i = 0; i < 50; i++) {
            EntryMix m = HostProfile.draw(SEED, i, Scenario.DIURNAL, ORIGIN).mix();
            assertEquals(1.0, m.established() + m.timeWait() + m.synSent() + m.closeWait() + m.finWait() + m.udp()
                    + m.icmp(), 1e-9, m.toString());
            assertTrue(m.udp() > 0 && m.established() < 0.5, m.toString());
        }
    }

    @Test
    void ordinaryHostsSendABreakdownWithoutAnEstablishedMajority() {
        for (Scenario s : List.of(Scenario.FLAT, Scenario.DIURNAL, Scenario.GROWTH, Scenario.SPIKE, Scenario.FULL)) {
            for (int i = 0; i < 20; i++) {
                Reading r = SyntheticHost.of(SEED, i, s, ORIGIN).readingAt(ORIGIN.plus(Duration.ofHours(i)));
                var e = r.entries().orElseThrow();
                assertEquals(Math.min(count(r), 2000), e.sampleSize(), 10, "the agent's default sample of 2000 lines");
                assertTrue(establishedShare(r) < 0.5, s + " " + i + ": " + e.states());
                assertTrue(e.topDestinations().stream().noneMatch(d -> d.port() == 5432), "no leak destination");
                assertTrue(e.unrepliedByProtocol().containsKey("udp") && e.assured() < e.sampleSize(), e.toString());
            }
        }
    }

    @Test
    void aLeakPilesUpEstablishedEntriesToOneDestination() {
        SyntheticHost h = SyntheticHost.of(SEED, 9, Scenario.LEAK, ORIGIN);
        Reading day0 = h.readingAt(ORIGIN);
        Reading day3 = h.readingAt(ORIGIN.plus(Duration.ofDays(3)));
        assertTrue(establishedShare(day0) > 0.5, "the leak began before the simulation: " + establishedShare(day0));
        assertTrue(establishedShare(day3) > establishedShare(day0) + 0.05,
                establishedShare(day0) + " -> " + establishedShare(day3));
        var top = day3.entries().orElseThrow().topDestinations().get(0);
        assertEquals(5432, top.port());
        assertEquals("tcp", top.protocol());
        long leaked = h.leaked(count(day3));
        assertEquals((double) leaked / count(day3), (double) top.sampled() / day3.entries().orElseThrow().sampleSize(), 0.01);
        assertEquals(day3, h.readingAt(ORIGIN.plus(Duration.ofDays(3))), "the same instant, the same breakdown");
    }
}
