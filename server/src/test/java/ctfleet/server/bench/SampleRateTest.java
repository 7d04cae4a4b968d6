package ctfleet.server.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.server.bench.BenchFleet.Host;
import ctfleet.server.bench.BenchFleet.Scenario;
import ctfleet.server.fleet.CountPoint;
import ctfleet.server.fleet.HostHistory;
import ctfleet.server.fleet.HostRank;
import ctfleet.server.fleet.Ranker;
import ctfleet.server.fleet.RankerConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent samples every 10 s by default; the quality benchmark's fleets are sampled every minute.
 * The same fleets at both rates (the same minute samples, the noise between them drawn as the
 * same process) must be read alike: six samples of a count that wanders over minutes are not six
 * times the evidence of one.
 */
class SampleRateTest {
    @Test
    void aFleetSampledEveryTenSecondsShowsNoMoreSurgesThanEveryMinute() {
        Ranker ranker = new Ranker(RankerConfig.defaults());
        int[] rising = new int[2];
        int[] ranked = new int[2];
        for (Scenario s : List.of(Scenario.MIXED, Scenario.SHIFT_UP, Scenario.REBOOTS)) {
            long seed = ForecastQualityBench.seed(false, s, 0); // its first tune seed
            List<Host> minute = BenchFleet.fleet(s, seed, 200, 1);
            List<Host> ten = BenchFleet.fleet(s, seed, 200, 6);
            int now = BenchFleet.T0 + 5 * BenchFleet.INSTANT_EVERY;
            assertSameMinutes(minute.get(7), ten.get(7), now);
            int k = 0;
            for (List<Host> fleet : List.of(minute, ten)) {
                for (int at = 0; at < BenchFleet.INSTANTS; at++) {
                    int t = BenchFleet.T0 + at * BenchFleet.INSTANT_EVERY;
                    List<HostHistory> histories = new ArrayList<>();
                    for (Host h : fleet) {
                        if (h.reporting(t) && !h.fullAt(t)) {
                            histories.add(h.history(t, 60));
                        }
                    }
                    for (HostRank r : ranker.rank(histories, BenchFleet.at(t))) {
                        rising[k] += r.reason().contains("rising") ? 1 : 0;
                        ranked[k]++;
                    }
                }
                k++;
            }
        }
        assertEquals(ranked[0], ranked[1]);
        // Read raw, the 10 s fleets showed a quarter more surges (42 against 33 here), most of them
        // an hour's slow wander on a quiet host that the same host's minutes did not call a surge.
        assertTrue(rising[0] > 20, "the fleets have surges to find: " + rising[0]);
        assertTrue(rising[1] <= rising[0], "surges every 10 s " + rising[1] + ", every minute " + rising[0]);
    }

    private static void assertSameMinutes(Host minute, Host ten, int now) {
        List<CountPoint> a = minute.raw(now, 60);
        List<CountPoint> b = ten.raw(now, 60);
        assertTrue(b.size() > 5 * a.size(), a.size() + " vs " + b.size());
        List<CountPoint> onTheMinute = new ArrayList<>();
        for (CountPoint p : b) {
            if (p.ts().getEpochSecond() % 60 == 0) {
                onTheMinute.add(p);
            }
        }
        assertEquals(a, onTheMinute, "a fleet's minute samples do not depend on its sampling rate");
    }
}
