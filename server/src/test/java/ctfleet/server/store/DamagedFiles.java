package ctfleet.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Real H2 files, damaged the way disks and people damage them: a database with some history, and
 * copies of it cut short, emptied, or with garbage written over one stretch.
 */
final class DamagedFiles {
    static final int HOSTS = 20;
    static final int SAMPLES_PER_HOST = 500;
    static final long T0 = 1_760_000_000_000L;

    private DamagedFiles() {
    }

    /** A closed database of {@link #HOSTS} hosts with {@link #SAMPLES_PER_HOST} raw samples each, rolled up. */
    static void fill(Path dir) throws Exception {
        Database db = Database.open(dir);
        try {
            Fleet fleet = new Fleet(db);
            for (int h = 0; h < HOSTS; h++) {
                long ref = fleet.host("gw-" + h);
                SampleRow[] rows = new SampleRow[SAMPLES_PER_HOST];
                for (int i = 0; i < SAMPLES_PER_HOST; i++) {
                    rows[i] = Fleet.row(T0 + i * 10_000L, 1000 + h * 10 + i, 65536, "boot", i, 0, 0, 0);
                }
                fleet.write(ref, rows);
            }
            new RollupJob(db, fleet.backlog, Retention.DEFAULT).run(T0 + SAMPLES_PER_HOST * 10_000L + 120_000);
        } finally {
            db.close();
        }
    }

    static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.copy(DatabaseCheck.file(from), DatabaseCheck.file(to));
        return to;
    }

    static void cut(Path dir, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(DatabaseCheck.file(dir), StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    static void garbage(Path dir, long at, int length, long seed) throws IOException {
        byte[] junk = new byte[length];
        new Random(seed).nextBytes(junk);
        try (FileChannel ch = FileChannel.open(DatabaseCheck.file(dir), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(junk), at);
        }
    }

    /** Every row of every table, by table and primary key, read read-only; fails on a damaged page. */
    static Map<String, Map<String, List<Object>>> rows(Path dir) throws SQLException {
        Map<String, Map<String, List<Object>>> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(DatabaseCheck.readOnlyUrl(dir), "ctfleet", "")) {
            for (String table : List.of("HOSTS", "SAMPLES", "SAMPLES_1M", "SAMPLES_1H", "HOST_LATEST")) {
                List<String> key = Salvage.primaryKey(c, table);
                Map<String, List<Object>> t = new TreeMap<>();
                try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>();
                        for (int i = 1; i <= n; i++) {
                            row.add(rs.getObject(i));
                        }
                        StringBuilder k = new StringBuilder();
                        for (String col : key) {
                            k.append(rs.getLong(col)).append('/');
                        }
                        t.put(k.toString(), row);
                    }
                }
                out.put(table, t);
            }
        }
        return out;
    }

    /**
     * A copy with garbage over one stretch that the start check cannot see (it lies deep inside
     * the raw samples) but a full read does: the damage that only shows when something reads it.
     * Tries stretches from a fixed seed until one qualifies.
     */
    static Path deepDamage(Path sound, Path work) throws Exception {
        long size = Files.size(DatabaseCheck.file(sound));
        Random r = new Random(18);
        for (int attempt = 0; attempt < 200; attempt++) {
            Path dir = copy(sound, work.resolve("deep-" + attempt));
            garbage(dir, 8192 + (long) (r.nextDouble() * (size - 8192 - 1024)), 512, attempt);
            try {
                DatabaseCheck.check(dir);
            } catch (DatabaseRefused e) {
                continue;
            }
            try {
                rows(dir);
            } catch (SQLException | RuntimeException e) {
                return dir;
            }
        }
        throw new AssertionError("no stretch of garbage damaged the raw samples alone in 200 tries");
    }
}
