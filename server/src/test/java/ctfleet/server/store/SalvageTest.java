package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctfleet admin recover}: what can be read is copied exactly, what cannot is named, the damaged file is only read. */
class SalvageTest {
    @TempDir
    static Path shared;
    static Path sound;
    static Map<String, Map<String, List<Object>>> original;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fill() throws Exception {
        sound = shared.resolve("sound");
        DamagedFiles.fill(sound);
        original = DamagedFiles.rows(sound);
    }

    @Test
    void soundDatabaseIsCopiedWhole() throws Exception {
        Salvage.Report r = Salvage.run(sound, tmp.resolve("copy"), line -> { });
        assertFalse(r.lostAnything(), r.toString());
        assertEquals(original, DamagedFiles.rows(tmp.resolve("copy")));
    }

    @Test
    void deepDamageCostsItsPagesOnlyAndTheServerOpensTheCopy() throws Exception {
        Path damaged = DamagedFiles.deepDamage(sound, tmp);
        byte[] before = Files.readAllBytes(DatabaseCheck.file(damaged));
        List<String> progress = new ArrayList<>();
        Path to = tmp.resolve("salvaged");
        Salvage.Report r = Salvage.run(damaged, to, progress::add);
        assertArrayEquals(before, Files.readAllBytes(DatabaseCheck.file(damaged)), "the damaged file is only read");
        assertTrue(r.lostAnything(), r.toString());

        Map<String, Map<String, List<Object>>> got = DamagedFiles.rows(to);
        long lost = 0;
        long total = 0;
        for (var table : original.entrySet()) {
            Map<String, List<Object>> copied = got.get(table.getKey());
            for (var row : copied.entrySet()) {
                assertEquals(table.getValue().get(row.getKey()), row.getValue(), "a salvaged row is the original row");
            }
            total += table.getValue().size();
            lost += table.getValue().size() - copied.size();
        }
        long reported = r.tables().stream().mapToLong(Salvage.TableReport::lostRows).sum();
        assertEquals(lost, reported, "the report counts exactly the rows lost: " + r);
        assertTrue(lost > 0 && lost < total / 20, lost + " of " + total + " rows lost to 512 bytes of garbage");
        assertTrue(r.tables().stream().flatMap(t -> t.lost().stream()).anyMatch(s -> s.startsWith("gw-")),
                "the unreadable stretches are named by host and time: " + r);

        Database.open(to).close(); // passes the start check, migrates
    }

    @Test
    void fileCutShortCannotBeOpenedAndTheMessageSaysWhatToDo() throws Exception {
        Path dir = DamagedFiles.copy(sound, tmp.resolve("cut"));
        DamagedFiles.cut(dir, Files.size(DatabaseCheck.file(dir)) / 2);
        Salvage.Impossible e = assertThrows(Salvage.Impossible.class, () -> Salvage.run(dir, tmp.resolve("to"), l -> { }));
        assertTrue(e.getMessage().contains("Restore the newest backup"), e.getMessage());
    }

    @Test
    void refusesANonEmptyTargetAndTheSameDirectory() throws Exception {
        Path to = tmp.resolve("busy");
        Files.createDirectories(to);
        Files.writeString(to.resolve("x"), "x");
        assertTrue(assertThrows(java.io.IOException.class, () -> Salvage.run(sound, to, l -> { }))
                .getMessage().contains("is not empty"));
    }
}
