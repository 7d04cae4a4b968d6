package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollups H2 acknowledged and then lost when a full disk closed the database are rolled up again:
 * the rollup job's watermarks do not outlive the failure. Real H2 file, real full tmpfs, H2's
 * window between acknowledging and writing widened as in {@link HostStoreFullDiskTest}.
 */
class StoreFaultRollupTest {
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
    void minutesWhoseRollupsALostWriteTookAreRolledUpAgain() throws Exception {
        long now = System.currentTimeMillis();
        long minute = Rollups.floor(now - 10 * Rollups.MINUTE, Rollups.MINUTE);
        try (Database db = Database.open(disk.mount.resolve("db"))) {
            Fleet fleet = new Fleet(db);
            long host = fleet.host("gw-1");
            fleet.write(host, Fleet.row(minute, 10, 100, "b", 0, 0, 0, 0),
                    Fleet.row(minute + 10_000, 20, 100, "b", 0, 0, 0, 0));
            RollupJob job = new RollupJob(db, fleet.backlog, Retention.DEFAULT);

            HostStoreTest.exec(db, "SET WRITE_DELAY 600000");
            job.run(now); // acknowledged, not yet in the file
            disk.fill();
            SQLException full = assertThrows(SQLException.class, () -> HostStoreTest.exec(db, "SET WRITE_DELAY 0"));
            db.health().failed(full);
            disk.free();
            HostStoreFullDiskTest.awaitWrites(db);
            assertEquals(0, fleet.count("SELECT COUNT(*) FROM samples_1m"), "H2 opened the file again without the rollups");
            assertEquals(2, fleet.count("SELECT COUNT(*) FROM raw_samples"), "the raw samples were written before");

            job.run(now);
            assertEquals(1, fleet.count("SELECT COUNT(*) FROM samples_1m WHERE ts = " + minute + " AND n = 2"));
            assertEquals(1, fleet.count("SELECT COUNT(*) FROM samples_1h WHERE n = 2"));
        }
    }
}
