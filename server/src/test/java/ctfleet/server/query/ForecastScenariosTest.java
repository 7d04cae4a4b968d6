package ctfleet.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.CapacityPlan;
import ctfleet.proto.v1.CapacityRequest;
import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.HostRequest;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of history a gateway has, imported into a real server (H2 file, gRPC on a loopback
 * port) and ranked by its Top call, as `ctfleet top` sees it: the order, the status, p_full, the
 * ETA range and the reason of each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForecastScenariosTest {
    static final long MAX = 131_072;
    static final long MINUTE = ImportedHistory.MINUTE;
    static final int DAY = 1440;

    ScenarioServer fleet;
    QueryGrpc.QueryBlockingStub query;
    long now;

    @BeforeAll
    void load(@TempDir Path dir) throws Exception {
        fleet = ScenarioServer.start(dir);
        query = fleet.query;
        now = fleet.now;
        ImportGrpc.ImportBlockingStub imports = fleet.imports;
        Map<String, IntToDoubleFunction> kinds = new LinkedHashMap<>();
        kinds.put("flat-low", ago -> 0.30);
        kinds.put("growth", ago -> 0.80 - 0.02 * ago / 60.0);
        kinds.put("stepped-up", ago -> ago > 360 ? 0.55 : 0.93);
        kinds.put("stepped-down", ago -> ago > 600 ? 0.90 : 0.50);
        // Daily waves at their trough now: crests 12 hours ahead, at 80 % and (clamped) above max.
        kinds.put("daily-under", ago -> 0.60 - 0.20 * Math.cos(2 * Math.PI * ago / DAY));
        kinds.put("daily-over", ago -> 0.85 - 0.20 * Math.cos(2 * Math.PI * ago / DAY));
        kinds.put("bursts", ago -> {
            int phase = (ago + 200) % 480;
            return phase < 40 ? 0.50 + 0.6 * Math.sin(Math.PI * phase / 40) : 0.50;
        });
        kinds.put("failover-to", ago -> ago < 300 ? 0.85 : 0.45);
        kinds.put("failover-from", ago -> ago < 300 ? 0.01 : 0.40);
        // A pair that failed over 20 hours ago for three hours and back: pair-a's 60 % moved onto
        // pair-b's 55 % and held it at max. Either failing over again overflows the other.
        kinds.put("pair-a", ago -> ago <= 20 * 60 && ago > 17 * 60 ? 0.01 : 0.60);
        kinds.put("pair-b", ago -> ago <= 20 * 60 && ago > 17 * 60 ? 1.14 : 0.55);
        // Another pair: pair-c failed over 30 hours ago for three hours and back, and again two hours
        // ago, still on pair-d now. Together 65 %: no risk to add, but each says where the load is.
        kinds.put("pair-c", ago -> ago <= 30 * 60 && ago > 27 * 60 || ago <= 120 ? 0.01 : 0.30);
        kinds.put("pair-d", ago -> ago <= 30 * 60 && ago > 27 * 60 || ago <= 120 ? 0.64 : 0.35);
        // A connection storm 15 minutes old: flat at 45 % for two days, then +1.5 % a minute.
        kinds.put("surging", ago -> ago > 15 ? 0.45 : 0.675 - 0.015 * ago);
        // A slow leak near max under a small daily wave at its trough: 0.5 %/h, 9 % to go.
        kinds.put("leak", ago -> 0.93 - 0.005 * ago / 60.0 - 0.02 * Math.cos(2 * Math.PI * ago / DAY));
        // Flat just under max, with the same small noise as every host: nearer to full than the rest.
        kinds.put("near-max", ago -> 0.975);
        // An office gateway: 29 % at night, 80 % from 07:00 to 16:30 UTC, an hour's climb and fall.
        kinds.put("office", ago -> {
            int clock = (int) (Math.floorMod(now - ago * MINUTE, 86_400_000L) / MINUTE);
            double share = clock < 6 * 60 || clock > 17 * 60 + 30 ? 0
                    : clock < 7 * 60 ? 0.5 - 0.5 * Math.cos(Math.PI * (clock - 6 * 60) / 60.0)
                    : clock <= 16 * 60 + 30 ? 1 : 0.5 + 0.5 * Math.cos(Math.PI * (clock - 16 * 60 - 30) / 60.0);
            return 0.29 + 0.51 * share;
        });
        // At 85 %, drained to 5 % from 10 to 6 hours ago (with blips of a few flows there), then back.
        kinds.put("drained", ago -> ago > 600 || ago <= 360 ? 0.85 : ago % 37 < 3 ? 0.09 : 0.05);
        // A migration in batches: +13 points 33, 20 and 6 hours ago, 84 % now.
        kinds.put("staircase", ago -> 0.45 + 0.13 * ((ago < 33 * 60 ? 1 : 0) + (ago < 20 * 60 ? 1 : 0)
                + (ago < 6 * 60 ? 1 : 0)));
        int seed = 0;
        for (var k : kinds.entrySet()) {
            imports.withDeadlineAfter(60, TimeUnit.SECONDS).importSamples(
                    request(k.getKey(), 2 * DAY, seed++, k.getValue(), ago -> "b1", ago -> true, ago -> 0));
        }
        // Rebooted 20 minutes ago and refilling toward its 60 %.
        imports.importSamples(request("rebooted", 2 * DAY, 20, ago -> ago >= 20 ? 0.60
                : 0.60 * (1 - Math.exp(-(20 - ago) / 10.0)), ago -> ago >= 20 ? "b1" : "b2", ago -> true, ago -> 0));
        // Growth with outages of its agent (no samples for hours).
        imports.importSamples(request("gappy-growth", 2 * DAY, 21, ago -> 0.85 - 0.01 * ago / 60.0, ago -> "b1",
                ago -> !(ago > 300 && ago < 500) && !(ago > 1500 && ago < 1800), ago -> 0));
        // A new host: twenty minutes of data, growing 1 % a minute.
        imports.importSamples(request("young-fast", 20, 22, ago -> 0.80 - 0.01 * ago, ago -> "b1", ago -> true,
                ago -> 0));
        // Growing 1.5 %/h, with noise that grows with the level (5 % of it).
        Random hetero = new Random(24);
        imports.importSamples(request("noisy-growth", 2 * DAY, 24, ago -> {
            double level = 0.80 - 0.015 * ago / 60.0;
            return level + 0.05 * Math.max(level, 0) * hetero.nextGaussian();
        }, ago -> "b1", ago -> true, ago -> 0));
        // Fifteen days of a weekly cycle at its trough now, whose next crest (2.5 days ahead) reaches max.
        ImportRequest weekly = request("weekly", 15 * DAY, 25,
                ago -> 0.62 + 0.40 * Math.cos(2 * Math.PI * (ago / (double) DAY + 2.5) / 7), ago -> "b1", ago -> true,
                ago -> 0);
        // In pieces of five days: a request stays under gRPC's 1 MiB message limit.
        for (int from = 0; from < weekly.getSamplesCount(); from += 5 * DAY) {
            imports.withDeadlineAfter(60, TimeUnit.SECONDS).importSamples(weekly.toBuilder().clearSamples()
                    .addAllSamples(weekly.getSamplesList().subList(from,
                            Math.min(weekly.getSamplesCount(), from + 5 * DAY))).build());
        }
        // Full for the last half hour, refusing connections.
        imports.importSamples(request("full-dropping", 2 * DAY, 23, ago -> ago < 30 ? 1.1 : 0.7, ago -> "b1",
                ago -> true, ago -> ago < 30 ? 400L * (30 - ago) : 0));
    }

    @AfterAll
    void stop() throws Exception {
        fleet.close();
    }

    /**
     * One host's history, a sample a minute: fill(ago) of max for ago minutes before now, with
     * noise; the boot id, whether the agent reported, and the cumulative early_drop counter.
     */
    ImportRequest request(String host, int minutes, long seed, IntToDoubleFunction fill,
            java.util.function.IntFunction<String> boot, java.util.function.IntPredicate observed,
            java.util.function.IntToLongFunction earlyDrop) {
        return ImportedHistory.request(host, now, minutes, seed, MAX, fill, ago -> MAX, boot, observed, earlyDrop);
    }

    Map<String, HostRank> top(long windowSeconds) {
        return top(windowSeconds, 0);
    }

    /** @param horizonSeconds 0 for the server's default */
    Map<String, HostRank> top(long windowSeconds, long horizonSeconds) {
        Map<String, HostRank> out = new LinkedHashMap<>();
        for (HostRank h : query.withDeadlineAfter(30, TimeUnit.SECONDS)
                .top(TopRequest.newBuilder().setWindowSeconds(windowSeconds).setHorizonSeconds(horizonSeconds).build())
                .getHostsList()) {
            out.put(h.getHost(), h);
        }
        return out;
    }

    @Test
    void eachKindGetsTheForecastAnOperatorWouldExpect() {
        Map<String, HostRank> top = top(24 * 3600);
        assertEquals(25, top.size(), top.keySet().toString());
        HostRank dropping = top.get("full-dropping");
        assertEquals(1, dropping.getRank());
        assertEquals("dropping", dropping.getStatus());

        for (String sure : List.of("growth", "daily-over", "gappy-growth", "young-fast", "noisy-growth")) {
            HostRank h = top.get(sure);
            assertEquals("crit", h.getStatus(), sure + ": " + h);
            assertTrue(h.getPFull() >= 0.5 && h.hasEtaSeconds() && h.hasEtaLowSeconds(), sure + ": " + h);
            assertTrue(h.getEtaLowSeconds() <= h.getEtaSeconds(), sure + ": " + h);
        }
        assertEquals(10 * 3600, top.get("growth").getEtaSeconds(), 3600, "20 % to go at 2 %/h");
        assertTrue(top.get("growth").getReason().startsWith("growing 2.0 %/h since"), top.get("growth").getReason());
        HostRank noisy = top.get("noisy-growth");
        assertTrue(noisy.getReason().startsWith("growing"), noisy.getReason());
        // 20 % to go at 1.5 %/h is 13.3 h for the trend; the wider swings near max can only bring it forward.
        assertTrue(noisy.getEtaSeconds() < 14 * 3600 && noisy.getEtaLowSeconds() < noisy.getEtaSeconds(), noisy.toString());
        assertTrue(top.get("daily-over").getReason().contains("daily crest reaches max at"),
                top.get("daily-over").getReason());

        for (String safe : List.of("flat-low", "stepped-up", "stepped-down", "daily-under", "rebooted",
                "failover-to", "failover-from", "office", "drained")) {
            HostRank h = top.get(safe);
            assertEquals("ok", h.getStatus(), safe + ": " + h);
            assertTrue(h.getPFull() < 0.1 && !h.hasEtaSeconds(), safe + ": " + h);
        }
        assertTrue(top.get("stepped-up").getReason().matches("stepped up 55 → 93 % at \\d\\d:\\d\\d, flat since"),
                top.get("stepped-up").getReason());
        assertTrue(top.get("stepped-down").getReason().startsWith("stepped down 90 → 50 % at"),
                top.get("stepped-down").getReason());
        assertTrue(top.get("failover-to").getReason().startsWith("stepped up 45 → 85 %"),
                top.get("failover-to").getReason());
        assertTrue(top.get("failover-from").getReason().startsWith("stepped down 40 → 1 %"),
                top.get("failover-from").getReason());
        // A pair whose load sits on one host now is that host's own forecast; one that failed over
        // and back is a risk to each: the other's load would overflow it.
        for (String safe : List.of("failover-to", "failover-from")) {
            assertFalse(top.get(safe).getReason().contains("fails over"), top.get(safe).toString());
        }
        for (String[] pair : new String[][] {{"pair-a", "pair-b"}, {"pair-b", "pair-a"}}) {
            HostRank h = top.get(pair[0]);
            assertTrue(h.getReason().contains("; fills if " + pair[1] + " fails over to it (100 % of the last day;"),
                    h.toString());
            assertTrue(h.getPFull() >= 0.1 && !h.getStatus().equals("ok"), h.toString());
        }
        // A pair whose load is on one host now, and was back once before: each names the other.
        assertTrue(top.get("pair-d").getReason().matches("stepped up 35 → 64 % at (\\d\\d:\\d\\d), flat since;"
                + " holding pair-c's load since \\d\\d:\\d0 \\(failover\\)"), top.get("pair-d").toString());
        assertTrue(top.get("pair-c").getReason().endsWith("; its load on pair-d since "
                + top.get("pair-d").getReason().replaceAll(".*since (\\S+) \\(failover\\)$", "$1") + " (failover)"),
                top.get("pair-c").toString());
        for (String quiet : List.of("pair-c", "pair-d")) {
            assertEquals("ok", top.get(quiet).getStatus(), top.get(quiet).toString());
        }
        assertTrue(top.get("rebooted").getReason().startsWith("rebooted at"), top.get("rebooted").toString());
        assertTrue(top.get("daily-under").getReason().contains("daily crest 8"), top.get("daily-under").getReason());
        // Every morning's climb is the office's routine, not a level shift or a storm, and its crest is
        // its plateau, not the overshoot of two harmonics.
        HostRank office = top.get("office");
        assertTrue(!office.getReason().contains("stepped") && !office.getReason().contains("rising"), office.toString());
        // Within 5 points of the 80 % plateau at any time of day (two harmonics alone overshoot by ~10).
        java.util.regex.Matcher crest = java.util.regex.Pattern.compile("daily crest (\\d+) %")
                .matcher(office.getReason());
        assertTrue(crest.find(), office.getReason());
        assertEquals(80, Integer.parseInt(crest.group(1)), 5, office.getReason());
        assertTrue(top.get("drained").getReason().startsWith("stepped up 5 → 85 %"), top.get("drained").toString());
        // Three steps up, the last six hours ago: the next may come within the day, or the move is done.
        HostRank stairs = top.get("staircase");
        assertTrue(stairs.getReason().contains("3 steps up since"), stairs.toString());
        assertTrue(stairs.getPFull() > 0.3 && stairs.getPFull() < 0.8 && !stairs.getStatus().equals("ok"),
                stairs.toString());
        assertTrue(top.get("bursts").getPFull() >= 0.5, "bursts reached max three times a day: " + top.get("bursts"));
        assertTrue(top.get("bursts").getReason().contains("burst"), top.get("bursts").getReason());
        // The storm is flagged within minutes of starting, on its own short stretch; it may still turn,
        // so not certain.
        HostRank surging = top.get("surging");
        assertTrue(surging.getPFull() >= 0.1 && surging.hasEtaLowSeconds() && surging.getEtaLowSeconds() < 3600,
                surging.toString());
        assertTrue(surging.getReason().matches("(flat )?at 45 %( until \\d\\d:\\d\\d)?; rising \\d+ %/h over the last \\d+ min"),
                surging.getReason());
        HostRank leak = top.get("leak");
        assertEquals("crit", leak.getStatus(), leak.toString());
        assertTrue(leak.getEtaSeconds() > 6 * 3600 && leak.getEtaSeconds() < 16 * 3600, leak.toString());
        assertTrue(leak.getReason().startsWith("growing 0.5 %/h since"), leak.getReason());
        // Nothing says it will fill, so it is ok. Among the ok hosts with no ETA at all, the likelier goes
        // first and fill decides between equals: every such host above it is likelier (a count rising
        // from a trough, however faintly), and every one below it is no likelier and less full.
        HostRank nearMax = top.get("near-max");
        assertEquals("ok", nearMax.getStatus(), nearMax.toString());
        boolean above = true;
        for (HostRank h : top.values()) {
            if (h == nearMax) {
                above = false;
                continue;
            }
            if (!h.getStatus().equals("ok") || h.hasEtaSeconds()) {
                continue;
            }
            if (above) {
                assertTrue(h.getPFull() > nearMax.getPFull(), h.getHost() + " above near-max: " + h);
            } else {
                assertTrue(h.getPFull() <= nearMax.getPFull() && h.getFill() < nearMax.getFill(),
                        h.getHost() + " below near-max: " + h);
            }
        }
        assertTrue(top.get("flat-low").getRank() > nearMax.getRank(), top.keySet().toString());

        // A crit host is never below a warn or ok one.
        List<String> order = new ArrayList<>(top.keySet());
        int previous = 3;
        for (String host : order.subList(1, order.size())) {
            int severity = switch (top.get(host).getStatus()) {
                case "crit" -> 2;
                case "warn" -> 1;
                default -> 0;
            };
            assertTrue(severity <= previous, "order " + order);
            previous = severity;
        }
    }

    @Test
    void theDefaultHourWindowForecastsFromTheSameTwoDays() {
        // The case: with an hour of data a host that stepped up six hours ago looks flat at 93 %;
        // with the two days the forecast reads, it still says why.
        Map<String, HostRank> hour = top(3600);
        Map<String, HostRank> day = top(24 * 3600);
        for (String host : day.keySet()) {
            assertEquals(day.get(host).getStatus(), hour.get(host).getStatus(), host);
            assertEquals(day.get(host).getPFull(), hour.get(host).getPFull(), 0.02, host);
        }
        assertEquals(day.get("stepped-up").getReason(), hour.get("stepped-up").getReason());
    }

    @Test
    void aWeeklyCycleIsSeenInATwoWeekWindowAndNamedByItsCrest() throws Exception {
        // Beyond two days the window is read from the database, not the in-memory buckets.
        long week = 7 * 86_400L;
        HostRank weekly = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (System.nanoTime() < deadline) {
            weekly = top(2 * week, 3 * 86_400L).get("weekly");
            if (weekly.getReason().contains("weekly crest")) {
                break;
            }
            Thread.sleep(2000);
        }
        assertTrue(weekly.getReason().contains("weekly crest reaches max at"), weekly.toString());
        assertEquals("crit", weekly.getStatus(), weekly.toString());
        assertTrue(weekly.getEtaSeconds() > 1.5 * 86_400 && weekly.getEtaSeconds() < 3 * 86_400, weekly.toString());
        // The crest is more than a day away: within the default day it will not fill.
        HostRank dayAhead = top(2 * week, 86_400L).get("weekly");
        assertTrue(dayAhead.getPFull() < 0.1, dayAhead.toString());
    }

    @Test
    void theHostViewFindsTheSamePartnerAsTop() {
        var detail = query.host(HostRequest.newBuilder().setHost("pair-b").setWindowSeconds(3600).build());
        HostRank fromTop = top(3600).get("pair-b");
        // Two calls on the server's system clock, milliseconds apart, and p_full moves with now: by a
        // few 1e-9 at some hours of the day (the fleet's office hosts follow the clock). Another
        // partner, or none, would move it by tenths.
        assertEquals(fromTop.getPFull(), detail.getRank().getPFull(), 1e-6);
        assertEquals(fromTop.getReason(), detail.getRank().getReason());
        assertTrue(detail.getRank().getReason().contains("fills if pair-a fails over to it"), detail.toString());
    }

    @Test
    void capacitySizesEachOfAPairForBothLoadsAndFindsNoOtherPair() {
        var plans = query.withDeadlineAfter(60, TimeUnit.SECONDS).capacity(CapacityRequest.newBuilder()
                .setWindowSeconds(2 * 86_400).build()).getHostsList();
        Map<String, CapacityPlan> byHost = new LinkedHashMap<>();
        plans.forEach(p -> byHost.put(p.getHost(), p));
        List<String> paired = new ArrayList<>();
        plans.stream().filter(CapacityPlan::hasFailoverPartner).forEach(p -> paired.add(p.getHost()));
        // Hosts that stepped, drained, failed over one way or rebooted are no one's partner.
        assertEquals(List.of("pair-a", "pair-b", "pair-c", "pair-d"), paired, byHost.toString());
        assertEquals("pair-c", byHost.get("pair-d").getFailoverPartner());
        // 60 % and 55 % of 131,072 together: 150,733; × 1.5 needs 262,144 (pair-a alone: 131,072).
        for (String[] pair : new String[][] {{"pair-a", "pair-b"}, {"pair-b", "pair-a"}}) {
            CapacityPlan p = byHost.get(pair[0]);
            assertEquals(pair[1], p.getFailoverPartner(), p.toString());
            assertEquals(0.6 * MAX + 0.55 * MAX, p.getFailoverPeak(), 0.03 * MAX, p.toString());
            assertEquals(262_144, p.getNeededMax(), p.toString());
            assertEquals(262_144, p.getRecommendedMax(), p.toString());
            assertTrue(p.getEvidenceList().stream().anyMatch(e -> e.startsWith("failover partner " + pair[1])),
                    p.toString());
        }
        assertTrue(byHost.get("pair-a").getNote().contains("sized to hold pair-b's load too"),
                byHost.get("pair-a").getNote());
        // The host view's plan is the same.
        var detail = query.host(HostRequest.newBuilder().setHost("pair-a").setWindowSeconds(3600).build());
        assertEquals("pair-b", detail.getCapacity().getFailoverPartner(), detail.getCapacity().toString());
        assertEquals(262_144, detail.getCapacity().getRecommendedMax());
    }

    @Test
    void theHostViewAndAShorterHorizonAgreeWithTop() {
        var detail = query.host(HostRequest.newBuilder().setHost("growth").setWindowSeconds(3600).build());
        HostRank fromTop = top(3600).get("growth");
        assertEquals(fromTop.getPFull(), detail.getRank().getPFull(), 1e-9);
        assertEquals(fromTop.getReason(), detail.getRank().getReason());
        // Ten hours from full: unlikely within an hour, certain within a day.
        var soon = query.host(HostRequest.newBuilder().setHost("growth").setHorizonSeconds(3600).build());
        assertTrue(soon.getRank().getPFull() < 0.1, soon.getRank().toString());
        assertEquals("ok", soon.getRank().getStatus());
    }
}
