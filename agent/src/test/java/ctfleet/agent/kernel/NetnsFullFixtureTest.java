package ctfleet.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Guards the captured full-table fixture: a re-capture that never filled would fail here. */
class NetnsFullFixtureTest {

    private static final Path ROOT = Path.of("src/test/resources/proc/netns-full");

    @Test
    void fullTableFixtureIsAtMaxWithEarlyDrops() throws IOException {
        long max = Long.parseLong(Files.readString(ROOT.resolve("sys/net/netfilter/nf_conntrack_max")).strip());
        long count = Long.parseLong(Files.readString(ROOT.resolve("sys/net/netfilter/nf_conntrack_count")).strip());
        KernelStat stat = KernelStat.parse(Files.readString(ROOT.resolve("net/stat/nf_conntrack")));

        assertEquals(max, count);
        assertEquals(count, stat.entries());
        assertTrue(stat.counter("early_drop") > 0, "no early_drop in " + stat);
    }

    @Test
    void fullTableFixtureHoldsTheFirst200UnrepliedUdpLines() throws IOException {
        long lines = Files.readAllLines(ROOT.resolve("net/nf_conntrack")).stream()
                .filter(line -> ConntrackLine.parse(line).map(l -> l.protocol().equals("udp") && l.unreplied())
                        .orElse(false))
                .count();

        assertEquals(200, lines);
    }
}
