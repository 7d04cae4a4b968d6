package ctfleet.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The one place that opens the database: an embedded H2 file, schema only through Flyway.
 * Everything H2-specific lives here so that moving to PostgreSQL means swapping this class's
 * DataSource, not the SQL.
 */
public final class Database implements AutoCloseable {
    static final int SHUTDOWN_COMPACT_MILLIS = 2000;
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
     *
     * <p>WRITE_DELAY=0 also means H2 runs no background writer, and that thread is what normally
     * compacts the file: without it every commit appends a chunk and nothing is reclaimed (measured:
     * ~1,400 bytes per raw sample). {@link #compact(int)} does that job on our schedule instead.
     * MAX_COMPACT_TIME: the compaction a clean shutdown does (default 200 ms) is cheap next to a
     * restart, so give it longer.
     *
     * <p>COMPRESS=TRUE: LZF on every page. Rows sorted by (host, time) repeat themselves, and the
     * benchmark measured 38 instead of 52 live bytes per raw sample; it also writes fewer bytes
     * per commit, which is what a scattered-insert workload is bound by.
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
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=" + SHUTDOWN_COMPACT_MILLIS + ";COMPRESS=TRUE";
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

    /**
     * Rewrites sparsely filled chunks and moves live ones down so the file shrinks, for at most
     * {@code maxMillis}. H2's MVStore is append-only: every commit writes changed pages to a new
     * chunk and the old copies become garbage that only compaction gives back.
     */
    public void compact(int maxMillis) throws SQLException {
        try (Connection c = pool.getConnection()) {
            SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
            var store = session.getDatabase().getStore();
            // compactFile sets the store's retention time to 0 for good (H2 2.x SingleFileStore):
            // freed chunks would then be overwritten at once, before the OS has written the chunks
            // that replaced them, and a power loss could leave no complete version. Put it back.
            int retention = store.getMvStore().getRetentionTime();
            try {
                store.compactFile(maxMillis);
            } finally {
                store.getMvStore().setRetentionTime(retention);
            }
        }
    }

    /** Bytes the database file takes now. */
    public long fileSize() throws SQLException {
        try (Connection c = pool.getConnection()) {
            SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
            return session.getDatabase().getStore().getMvStore().getFileStore().size();
        }
    }

    /**
     * Writes a consistent snapshot of the running database to {@code zip} (H2's BACKUP TO: a zip
     * holding ctfleet.mv.db, taken while ingest goes on). Restore = unzip into an empty --db
     * directory.
     */
    public void backup(Path zip) throws SQLException {
        try (Connection c = pool.getConnection(); var st = c.prepareStatement("BACKUP TO ?")) {
            st.setString(1, zip.toAbsolutePath().toString());
            st.execute();
        }
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
