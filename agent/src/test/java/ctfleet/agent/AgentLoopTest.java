package ctfleet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.agent.procfs.ProcRoot;
import ctfleet.agent.procfs.BytesPerEntry;
import ctfleet.agent.sample.Reading;
import ctfleet.agent.sample.ReadingSource;
import ctfleet.agent.sample.Sampler;
import ctfleet.proto.v1.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AgentLoopTest {
    final List<Sample> shipped = new ArrayList<>();
    final List<IOException> failures = new ArrayList<>();

    @Test
    void handsOverUnnumberedSamplesAndSendsTimeoutsOnlyInTheFirst() {
        Sampler sampler = new Sampler(new ProcRoot(Path.of("src/test/resources/proc/new-kernel-4cpu")),
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        AgentLoop loop = new AgentLoop(sampler, shipped::add, failures::add);
        for (int i = 0; i < 3; i++) {
            loop.tick();
        }
        assertEquals(List.of(0L, 0L, 0L), shipped.stream().map(Sample::getSeq).toList(),
                "the outbox numbers samples, not the loop");
        assertTrue(shipped.get(0).getTimeoutsCount() > 0, "first sample carries the timeouts");
        assertEquals(0, shipped.get(1).getTimeoutsCount());
    }

    @Test
    void aFailedReadIsReportedAndSkipped() {
        List<Object> script = new ArrayList<>(List.of(reading(30), new IOException("gone"), reading(30), reading(60)));
        ReadingSource source = () -> {
            Object next = script.remove(0);
            if (next instanceof IOException e) {
                throw e;
            }
            return (Reading) next;
        };
        AgentLoop loop = new AgentLoop(source, shipped::add, failures::add);
        for (int i = 0; i < 4; i++) {
            loop.tick();
        }
        assertEquals(1, failures.size());
        assertEquals(3, shipped.size());
        assertEquals(0, shipped.get(1).getTimeoutsCount(), "unchanged timeouts are not resent");
        assertEquals(60, shipped.get(2).getTimeoutsMap().get("udp_timeout"), "a changed timeout is sent");
    }

    static Reading reading(long udpTimeout) {
        var timeouts = new TreeMap<String, Long>();
        timeouts.put("udp_timeout", udpTimeout);
        return new Reading(Instant.parse("2026-01-01T00:00:00Z"), Optional.empty(), Optional.empty(), timeouts, "",
                Optional.empty(), new BytesPerEntry(256, true));
    }
}
