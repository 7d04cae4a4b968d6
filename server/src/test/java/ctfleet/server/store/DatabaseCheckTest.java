package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged database file is refused before anything writes to it, with one line naming it and the way out. */
class DatabaseCheckTest {
    @TempDir
    static Path shared;
    static Path sound;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fill() throws Exception {
        sound = shared.resolve("sound");
        DamagedFiles.fill(sound);
    }

    /** Opening must throw DatabaseRefused and leave the file byte for byte as it was. */
    private static String refused(Path dir) throws Exception {
        byte[] before = Files.readAllBytes(DatabaseCheck.file(dir));
        DatabaseRefused e = assertThrows(DatabaseRefused.class, () -> Database.open(dir).close());
        assertArrayEquals(before, Files.readAllBytes(DatabaseCheck.file(dir)), "the file is left as it was");
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        return e.getMessage();
    }

    @Test
    void soundAndNewDatabasesOpen() throws Exception {
        DatabaseCheck.check(tmp.resolve("none-yet"));
        Database.open(DamagedFiles.copy(sound, tmp.resolve("copy"))).close();
    }

    @Test
    void fileCutShortIsRefusedAtEverySize() throws Exception {
        long size = Files.size(DatabaseCheck.file(sound));
        // Includes the cuts that H2, opened read-write, took for "no database yet" and overwrote. (A cut
        // inside the newest chunk is what a crash mid-write leaves: H2 falls back to the version
        // before it, as it is built to.)
        for (long cut : new long[] {4096, 8192, 10_000, 12_288, size / 4, size / 2, size * 3 / 4}) {
            Path dir = DamagedFiles.copy(sound, tmp.resolve("cut-" + cut));
            DamagedFiles.cut(dir, cut);
            String msg = refused(dir);
            assertTrue(msg.contains(DatabaseCheck.file(dir).toString()) && msg.contains("is damaged")
                    && msg.contains("ctfleet admin recover --db " + dir + " --to "), cut + ": " + msg);
        }
    }

    @Test
    void emptyFileIsRefusedNotTakenForANewDatabase() throws Exception {
        Path dir = DamagedFiles.copy(sound, tmp.resolve("empty"));
        DamagedFiles.cut(dir, 0);
        String msg = refused(dir);
        assertTrue(msg.contains("it is empty (0 bytes)"), msg);
        assertTrue(Files.size(DatabaseCheck.file(dir)) == 0);
    }

    @Test
    void missingTableIsRefused() throws Exception {
        Path dir = DamagedFiles.copy(sound, tmp.resolve("no-samples"));
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("ctfleet"), "ctfleet", "")) {
            c.createStatement().execute("DROP VIEW raw_samples");
            c.createStatement().execute("DROP TABLE samples");
        }
        assertTrue(refused(dir).contains("table SAMPLES is missing"));
    }

    @Test
    void failedMigrationIsRefused() throws Exception {
        Path dir = DamagedFiles.copy(sound, tmp.resolve("failed"));
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("ctfleet"), "ctfleet", "")) {
            c.createStatement().execute("UPDATE \"flyway_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '33'");
        }
        assertTrue(refused(dir).contains("migration V33 failed"));
    }

    @Test
    void garbageOverTheFileStartIsRefused() throws Exception {
        Path dir = DamagedFiles.copy(sound, tmp.resolve("headers"));
        DamagedFiles.garbage(dir, 0, 8192, 1);
        assertTrue(refused(dir).contains("is damaged"));
    }

    @Test
    void everyBaseTableOfAFreshDatabaseIsChecked() throws Exception {
        // A migration that adds a table must add it to DatabaseCheck.TABLES too.
        Path dir = tmp.resolve("fresh");
        Database.open(dir).close();
        try (Connection c = DriverManager.getConnection(DatabaseCheck.readOnlyUrl(dir), "ctfleet", "");
             var rs = c.createStatement().executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                     + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'")) {
            while (rs.next()) {
                String t = rs.getString(1);
                assertTrue(t.equals(DatabaseCheck.HISTORY) || DatabaseCheck.TABLES.containsKey(t), t + " is not checked");
            }
        }
    }
}
