package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host H2 acknowledged and then lost when a full disk closed the database: what the server
 * remembers of it must not outlive the failure. A real H2 file on a real full tmpfs. H2's window
 * between acknowledging a commit and writing it is made wide (SET WRITE_DELAY, H2's own setting)
 * so that the loss happens every run, not only when the timing falls that way.
 */
class HostStoreFullDiskTest {
    @TempDir
    Path tmp;

    SmallDisk disk;

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(tmp.resolve("fs"), "2m");
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) {
            disk.close();
        }
    }

    @Test
    void aHostLostWhenAFullDiskClosedTheDatabaseIsCreatedAgainByItsNextHello() throws Exception {
        try (Database db = Database.open(disk.mount.resolve("db"))) {
            Fleet fleet = new Fleet(db);
            fleet.write(fleet.host("gw-warm"), Fleet.row(1_000, 10, 100, "b", 0, 0, 0, 0));

            HostStoreTest.exec(db, "SET WRITE_DELAY 600000");
            long lost = fleet.host("fulltest"); // acknowledged, not yet in the file
            disk.fill();
            // Back to writing at once: H2 writes what it owes now, meets the full disk and closes
            // the database. Reported to the health as every store call reports its failures.
            SQLException full = assertThrows(SQLException.class, () -> HostStoreTest.exec(db, "SET WRITE_DELAY 0"));
            assertEquals(StoreFault.Kind.DISK_FULL, ((StoreUnavailable) db.health().failed(full)).fault().kind());
            disk.free();
            awaitWrites(db);
            assertEquals(0, fleet.count("SELECT COUNT(*) FROM hosts WHERE host_id = 'fulltest'"),
                    "H2 opened the file again without the host it had acknowledged (id " + lost + ")");

            long ref = fleet.host("fulltest");
            fleet.write(ref, Fleet.row(3_000, 10, 100, "b", 0, 0, 0, 0));
            assertEquals(ref, fleet.count("SELECT id FROM hosts WHERE host_id = 'fulltest'"), "the host is stored again");
            assertEquals(1, fleet.count("SELECT COUNT(*) FROM raw_samples WHERE host_ref = " + ref), "and its sample");
            assertEquals(ref, fleet.hosts.ref("fulltest"));
        }
    }

    /** The maintenance thread's probe, until the database takes writes again (H2 reopens it from the file). */
    static void awaitWrites(Database db) throws Exception {
        for (int i = 0; i < 20; i++) {
            try {
                db.probe(3_000);
                return;
            } catch (StoreUnavailable stillClosed) {
                Thread.sleep(100);
            }
        }
        fail("the database never took writes again: " + db.health().current());
    }
}
