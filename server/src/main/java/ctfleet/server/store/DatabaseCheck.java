package ctfleet.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks at an existing database file before the server opens it for writing, read-only, so that a
 * damaged file is refused untouched instead of being opened and rewritten. H2 opened read-write
 * treats some damage as "no database yet": a file cut in half came up empty, Flyway created a new
 * schema and H2 rewrote the file over the history. Other damage lost the definition of one table
 * ({@code Table "SAMPLES" not found} on every call, while the server said it was listening).
 *
 * <p>Checked, each cheap whatever the size of the file: H2 opens the store (its own checks of the
 * file headers and of the chunks it needs); the Flyway history is there and every migration in it
 * succeeded; every table the applied migrations create is there; each table's first and last row
 * by key and its row count can be read (the path from the root to both ends of every B-tree);
 * the small tables ({@code hosts}, {@code host_latest}) are read whole. Damage deep inside a large
 * table is found when something reads it, and then puts the server in a NOT_SERVING state (see
 * {@link DatabaseHealth}): reading every row at each start would take minutes at a thousand hosts.
 */
public final class DatabaseCheck {
    /** Every table the schema must have, with the migration that created it. A new table adds a line. */
    static final Map<String, Integer> TABLES = tables();
    static final List<String> READ_WHOLE = List.of("HOSTS", "HOST_LATEST");
    static final String HISTORY = "flyway_schema_history";

    private DatabaseCheck() {
    }

    private static Map<String, Integer> tables() {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put("HOSTS", 1);
        t.put("SAMPLES", 1);
        t.put("HOST_LATEST", 1);
        t.put("SAMPLES_1M", 2);
        t.put("SAMPLES_1H", 2);
        t.put("ENTRY_SUMMARIES", 2);
        t.put("STORE_PROBE", 50);
        return t;
    }

    /** The file of the database in {@code dir}. */
    static Path file(Path dir) {
        return dir.resolve("ctfleet.mv.db");
    }

    /** A read-only, trace-free URL: opening it writes nothing, not even H2's trace file. */
    static String readOnlyUrl(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("ctfleet")
                + ";ACCESS_MODE_DATA=r;TRACE_LEVEL_FILE=0;IFEXISTS=TRUE;DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * Returns when {@code dir} holds no database yet or a sound one; throws the one line to print
     * otherwise.
     */
    public static void check(Path dir) throws DatabaseRefused {
        Path file = file(dir);
        if (!Files.exists(file)) {
            return;
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw DatabaseRefused.unreadable(file, e.getMessage());
        }
        if (size == 0) {
            throw DatabaseRefused.damaged(dir, file, "it is empty (0 bytes), and H2 would start a new database"
                    + " in it; if this really is a new installation, delete it");
        }
        if (!Files.isReadable(file)) {
            throw DatabaseRefused.unreadable(file, "permission denied");
        }
        try (Connection c = DriverManager.getConnection(readOnlyUrl(dir), "ctfleet", "")) {
            String problem = problem(c);
            if (problem != null) {
                throw DatabaseRefused.damaged(dir, file, problem);
            }
        } catch (SQLException e) {
            throw refusal(dir, file, e);
        }
    }

    private static DatabaseRefused refusal(Path dir, Path file, SQLException e) {
        String msg = StoreFault.firstLine(e.getMessage());
        return switch (e.getErrorCode()) {
            case 90020 -> DatabaseRefused.inUse(file); // DATABASE_ALREADY_OPEN
            // Read-only, H2 could not create the schema it needs: what is there is not a database it can read.
            case 90097 -> DatabaseRefused.damaged(dir, file, "H2 finds no database in it");
            default -> {
                var fault = StoreFault.classify(e, dir);
                if (fault.isPresent() && fault.get().kind() == StoreFault.Kind.READ_ONLY
                        && msg.toLowerCase(java.util.Locale.ROOT).contains("denied")) {
                    yield DatabaseRefused.unreadable(file, msg);
                }
                yield DatabaseRefused.damaged(dir, file, msg.length() > 160 ? msg.substring(0, 160) + "..." : msg);
            }
        };
    }

    /** What is wrong with the open database, or null. */
    static String problem(Connection c) throws SQLException {
        List<String> present = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                present.add(rs.getString(1));
            }
        }
        if (present.isEmpty()) {
            return "H2 finds no tables in it";
        }
        if (!present.contains(HISTORY)) {
            return "its Flyway schema history is missing, tables found: " + String.join(", ", present);
        }
        int applied = 0;
        try (PreparedStatement q = c.prepareStatement("SELECT \"version\", \"success\" FROM \"" + HISTORY
                + "\" WHERE \"version\" IS NOT NULL");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                if (!rs.getBoolean(2)) {
                    return "migration V" + rs.getString(1) + " failed part-way when it was applied";
                }
                applied = Math.max(applied, leadingInt(rs.getString(1)));
            }
        }
        for (Map.Entry<String, Integer> t : TABLES.entrySet()) {
            if (t.getValue() <= applied && !present.contains(t.getKey())) {
                return "table " + t.getKey() + " is missing, though migration V" + t.getValue() + " created it";
            }
        }
        for (Map.Entry<String, Integer> t : TABLES.entrySet()) {
            if (t.getValue() <= applied) {
                String table = t.getKey();
                try {
                    touch(c, table, READ_WHOLE.contains(table));
                } catch (SQLException e) {
                    return "table " + table + " cannot be read: " + StoreFault.firstLine(e.getMessage());
                } catch (RuntimeException e) {
                    return "table " + table + " cannot be read: " + e;
                }
            }
        }
        return null;
    }

    /** Reads the table's row count and its first and last rows by key, or every row. */
    private static void touch(Connection c, String table, boolean whole) throws SQLException {
        String key = String.join(", ", Salvage.primaryKey(c, table));
        List<String> reads = new ArrayList<>(List.of("SELECT COUNT(*) FROM " + table));
        if (whole || key.isEmpty()) {
            reads.add("SELECT * FROM " + table);
        } else {
            reads.add("SELECT * FROM " + table + " ORDER BY " + key + " FETCH FIRST 1 ROWS ONLY");
            reads.add("SELECT * FROM " + table + " ORDER BY " + key.replace(",", " DESC,") + " DESC FETCH FIRST 1 ROWS ONLY");
        }
        for (String sql : reads) {
            try (PreparedStatement q = c.prepareStatement(sql); ResultSet rs = q.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        rs.getObject(i);
                    }
                }
            }
        }
    }

    static int leadingInt(String version) {
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
    }
}
