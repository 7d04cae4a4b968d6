package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store's failures mean, and that each fault is said once and its end once. */
class StoreFaultTest {
    static final Path DIR = Path.of("/var/lib/ctfleet");

    /** What H2 threw on a full disk: the commit, and every call after it, over the IOException. */
    static SQLException closedOver(IOException cause) {
        return new SQLException("The database has been closed [90098-252]", "90098", 90098,
                new IllegalStateException("Writing to channel failed; length 4096 at 8073216 [2.5.252/2]", cause));
    }

    @Test
    void fullDiskUnderHisClosedDatabaseIsNamed() {
        StoreFault f = StoreFault.classify(closedOver(new IOException("No space left on device")), DIR).orElseThrow();
        assertEquals(StoreFault.Kind.DISK_FULL, f.kind());
        assertEquals("the server's database is unavailable: no space left on /var/lib/ctfleet", f.forCaller());
        assertTrue(f.healsByItself());
    }

    @Test
    void readOnlyFileSystemIsNamed() {
        StoreFault f = StoreFault.classify(closedOver(new IOException("Read-only file system")), DIR).orElseThrow();
        assertEquals(StoreFault.Kind.READ_ONLY, f.kind());
        assertTrue(f.message().contains("cannot write to /var/lib/ctfleet"), f.message());
        assertEquals(StoreFault.Kind.READ_ONLY, StoreFault.classify(
                new SQLException("The database is read only [90097-252]", "90097", 90097), DIR).orElseThrow().kind());
    }

    @Test
    void corruptPagesAndLostTablesAreDamage() {
        StoreFault f = StoreFault.classify(new SQLException("File corrupted while reading record: \"/x/ctfleet.mv.db\"."
                + " Possible solution: use the recovery tool [90030-252]", "90030", 90030), DIR).orElseThrow();
        assertEquals(StoreFault.Kind.DAMAGED, f.kind());
        assertTrue(f.message().contains("ctfleet admin recover --db /var/lib/ctfleet --to NEWDIR"), f.message());
        assertTrue(!f.message().contains("use the recovery tool"), "H2's advice is not ours: " + f.message());
        assertEquals(StoreFault.Kind.DAMAGED, StoreFault.classify(new SQLException(
                "Table \"SAMPLES\" not found [42102-252]", "42S02", 42102), DIR).orElseThrow().kind());
        assertTrue(!StoreFault.classify(new SQLException("Table \"SAMPLES\" not found", "42S02", 42102), DIR)
                .orElseThrow().healsByItself());
    }

    @Test
    void aConstraintOrABugIsNotAStoreFault() {
        assertEquals(Optional.empty(), StoreFault.classify(new SQLException("Unique index violation", "23505", 23505), DIR));
        assertEquals(Optional.empty(), StoreFault.classify(new IllegalArgumentException("bad"), DIR));
    }

    @Test
    void aFaultIsLoggedOnceAndItsEndOnce(@TempDir Path dir) throws Exception {
        List<String> log = new ArrayList<>();
        Logger logger = Logger.getLogger(DatabaseHealth.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                log.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(h);
        try {
            DatabaseHealth health = new DatabaseHealth(DIR);
            List<Optional<StoreFault>> changes = new ArrayList<>();
            health.onChange(changes::add);
            health.wrote();
            for (int i = 0; i < 100; i++) {
                StoreException thrown = health.failed(closedOver(new IOException("No space left on device")));
                assertTrue(thrown instanceof StoreUnavailable);
            }
            assertEquals(StoreFault.Kind.DISK_FULL, health.current().orElseThrow().kind());
            health.wrote();
            health.wrote();
            assertEquals(Optional.empty(), health.current());
            assertEquals(2, log.size(), log.toString());
            assertTrue(log.get(0).startsWith("WARNING database unavailable: no space left on /var/lib/ctfleet"
                    + " (No space left on device)"), log.get(0));
            assertTrue(log.get(1).matches("INFO database available again after \\d+ s \\(it was: no space left on"
                    + " /var/lib/ctfleet\\); 100 store calls failed meanwhile"), log.get(1));
            assertEquals(2, changes.size());
        } finally {
            logger.removeHandler(h);
        }
    }

    @Test
    void aDamagedDatabaseHandsOutNoMoreConnections(@TempDir Path dir) throws Exception {
        Database db = Database.open(dir);
        try {
            db.health().failed(new SQLException("File corrupted while reading record [90030-252]", "90030", 90030));
            // Inside the store a refused connection is an SQLException; a store call hands it out as StoreUnavailable.
            Unusable refused = assertThrows(Unusable.class, db::connect);
            StoreException e = db.health().failed(refused);
            assertTrue(e instanceof StoreUnavailable, e.toString());
            assertEquals(StoreFault.Kind.DAMAGED, ((StoreUnavailable) e).fault().kind());
            db.health().wrote();
            assertThrows(Unusable.class, db::connect, "damage does not end by itself");
            assertThrows(StoreUnavailable.class, () -> db.probe(0), "a store call says why");
        } finally {
            db.close();
        }
    }
}
