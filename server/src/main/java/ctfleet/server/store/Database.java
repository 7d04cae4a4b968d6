package ctfleet.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The one place that opens the database: an embedded H2 file, schema only through Flyway.
 * Everything H2-specific lives here so that moving to PostgreSQL means swapping this class's
 * DataSource, not the SQL.
 */
public final class Database implements AutoCloseable {
    private final JdbcConnectionPool pool;
    private final Path file;

    private Database(JdbcConnectionPool pool, Path file) {
        this.pool = pool;
        this.file = file;
    }

    /** The database file on disk (for its size). */
    public Path file() {
        return file;
    }

    /**
     * Opens (creating when missing) the database under {@code dir} and migrates it.
     *
     * <p>WRITE_DELAY=0: H2's default (500 ms) lost about 0.6 s of acknowledged commits on kill -9 here;
     * with 0 an acknowledged sample survives a process kill. H2 does not fsync on commit, so a power
     * loss can still lose the last second or so of commits.
     */
    public static Database open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
        }
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("ctfleet")
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "ctfleet", "");
        pool.setMaxConnections(16);
        migrate(pool);
        return new Database(pool, dir.toAbsolutePath().resolve("ctfleet.mv.db"));
    }

    static void migrate(DataSource ds) {
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    public Connection connect() throws SQLException {
        return pool.getConnection();
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        try (Connection c = pool.getConnection(); var st = c.createStatement()) {
            st.execute("SHUTDOWN");
        } catch (SQLException e) {
            // already closed: nothing left to flush
        }
        pool.dispose();
    }
}
