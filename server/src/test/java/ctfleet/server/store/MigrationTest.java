package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTest {
    @TempDir
    Path dir;

    static List<String> tables(Connection c) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                out.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    static long countTsIndex(Connection c) throws Exception {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES WHERE INDEX_NAME = 'SAMPLES_TS'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Index types of a table, e.g. [PRIMARY KEY]. */
    static List<String> indexTypes(Connection c, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (var q = c.prepareStatement("SELECT INDEX_TYPE_NAME FROM INFORMATION_SCHEMA.INDEXES"
                + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = ? ORDER BY INDEX_NAME")) {
            q.setString(1, table);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** V32: each time-series table is one B-tree plus at most its key's index, no foreign-key index. */
    static void assertTimeSeriesIndexesOnlyTheirKeys(Connection c) throws Exception {
        for (String table : List.of("SAMPLES", "SAMPLES_1M", "SAMPLES_1H", "ENTRY_SUMMARIES")) {
            assertEquals(List.of("PRIMARY KEY"), indexTypes(c, table), table);
        }
    }

    /** Column names of a table, in order. */
    static List<String> columns(Connection c, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getColumns(null, "PUBLIC", table, "%")) {
            while (rs.next()) {
                out.add(rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    /**
     * V33: raw rows hold the key and the values no key repeats; raw_samples spells host_ref and ts out.
     * V52: which counters were carried.
     */
    static void assertRawRowsAreLean(Connection c) throws Exception {
        assertEquals(List.of("id", "status", "ct_count", "ct_max", "boot", "drop_total", "early_drop", "insert_failed",
                "invalid", "source", "carried"), columns(c, "SAMPLES"));
        assertEquals(List.of("host_ref", "ts", "status", "ct_count", "ct_max", "boot", "drop_total", "early_drop",
                "insert_failed", "invalid", "source"), columns(c, "RAW_SAMPLES"));
    }

    @Test
    void emptyDatabaseGetsEveryTable() throws Exception {
        try (Database db = Database.open(dir); Connection c = db.connect()) {
            assertTrue(tables(c).containsAll(List.of("hosts", "samples", "host_latest", "samples_1m", "samples_1h",
                    "entry_summaries")), tables(c).toString());
            assertTimeSeriesIndexesOnlyTheirKeys(c);
            assertRawRowsAreLean(c);
        }
    }

    @Test
    void versionOneDatabaseWithRowsMigratesAndKeepsThem() throws Exception {
        JdbcDataSource v1 = new JdbcDataSource();
        v1.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ctfleet") + ";DB_CLOSE_ON_EXIT=FALSE");
        v1.setUser("ctfleet");
        Flyway.configure().dataSource(v1).locations("classpath:db/migration").target("1").load().migrate();
        try (Connection c = v1.getConnection(); var st = c.createStatement()) {
            assertTrue(!tables(c).contains("samples_1m"), "only V1 applied");
            assertEquals(1, countTsIndex(c), "V1 has the ts index");
            st.execute("INSERT INTO hosts (host_id, labels, kernel, agent_version, timeouts, dropped_samples,"
                    + " conflicts, first_seen) VALUES ('gw-old', '{}', '5.10', '0.0.9', '{}', 0, 0, 1)");
            for (int i = 0; i < 100; i++) {
                st.execute("INSERT INTO samples VALUES (1, " + (1000 + i * 10_000) + ", 1, " + (50 + i)
                        + ", 65536, 16384, 7, " + i + ", 0, 0, 0)");
            }
            st.execute("INSERT INTO host_latest VALUES (1, 991000, 991000, 1, 149, 65536, 16384, 4096, 0, 'boot',"
                    + " '{}', 320, TRUE, '')");
            st.execute("SHUTDOWN");
        }
        try (Database db = Database.open(dir); Connection c = db.connect()) {
            Fleet fleet = new Fleet(db);
            assertEquals(100, fleet.count("SELECT COUNT(*) FROM samples"));
            assertEquals(4950, fleet.count("SELECT SUM(drop_total) FROM samples"));
            assertEquals(1000 + 99 * 10_000, fleet.count("SELECT MAX(ts) FROM raw_samples WHERE host_ref = 1"),
                    "the key still says which host and when");
            assertRawRowsAreLean(c);
            assertEquals(149, new FleetReader(db).latest("gw-old").orElseThrow().count());
            assertTrue(tables(c).contains("samples_1m"));
            assertEquals(0, fleet.count("SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES WHERE INDEX_NAME = 'SAMPLES_TS'"),
                    "V3 dropped the ts index");
            assertEquals(3, fleet.count("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" IN ('1', '2', '3')"));
            assertTimeSeriesIndexesOnlyTheirKeys(c);

            // The migrated data rolls up like new data.
            RollupJob job = new RollupJob(db, fleet.backlog, new Retention(java.time.Duration.ofDays(36500),
                    java.time.Duration.ofDays(36500), java.time.Duration.ofDays(36500), java.time.Duration.ofDays(7)));
            job.run(2_000_000);
            assertEquals(100, fleet.count("SELECT SUM(n) FROM samples_1m"));
            assertEquals(99, fleet.count("SELECT SUM(drop_inc) FROM samples_1h"));
        }
    }
}
