package ctfleet.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import java.sql.PreparedStatement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.h2.mvstore.db.Store;

/**
 * The one place that opens the database: an embedded H2 file, schema only through Flyway.
 * Everything H2-specific lives here so that moving to PostgreSQL means swapping this class's
 * DataSource, not the SQL.
 */
public final class Database implements AutoCloseable {
    static final int SHUTDOWN_COMPACT_MILLIS = 2000;
    /** Rewrite the sparsest old chunks while less than this percentage of the chunks is live. */
    static final int REWRITE_BELOW_CHUNKS_FILL = 80;
    /** Move chunks into the holes while less than this percentage of the file is chunks. */
    static final int MOVE_BELOW_FILL = 90;
    /** Bytes one rewrite or move step may write: small steps keep ingest's waits for the store lock short. */
    static final int STEP_BYTES = 4 << 20;
    private final JdbcConnectionPool pool;
    private final Path file;
    private final DatabaseHealth health;

    private Database(JdbcConnectionPool pool, Path file, DatabaseHealth health) {
        this.pool = pool;
        this.file = file;
        this.health = health;
    }

    /** Whether the database works now, and why not (see {@link DatabaseHealth}). */
    public DatabaseHealth health() {
        return health;
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
     * MAX_COMPACT_TIME=0: no H2 compaction at shutdown; {@link #close()} runs ours instead. H2's
     * (chunks moved to the end of the file first, then back) left the file bigger than before, by
     * 10 to 20% in the benchmark.
     *
     * <p>COMPRESS=TRUE: LZF on every page. Rows sorted by (host, time) repeat themselves, and the
     * benchmark measured 38 instead of 52 live bytes per raw sample; it also writes fewer bytes
     * per commit, which is what a scattered-insert workload is bound by.
     *
     * <p>An existing file is checked read-only first ({@link DatabaseCheck}): a damaged one is
     * refused with {@link DatabaseRefused} and left exactly as it was.
     */
    public static Database open(Path dir) throws IOException {
        DatabaseCheck.check(dir);
        return create(dir, null);
    }

    /**
     * Opens (creating when missing) without the check, migrated to {@code version} (null: the
     * newest): the salvage creates its new database at the damaged one's version.
     */
    static Database create(Path dir, String version) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
        }
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("ctfleet")
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=0;COMPRESS=TRUE";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "ctfleet", "");
        pool.setMaxConnections(16);
        try (Connection c = pool.getConnection(); var st = c.createStatement(); var rs = st.executeQuery("SELECT READONLY()")) {
            // H2 quietly opens a file it cannot write read-only; every sample would then fail.
            rs.next();
            if (rs.getBoolean(1)) {
                pool.dispose();
                throw DatabaseRefused.readOnly(dir.resolve("ctfleet.mv.db"));
            }
        } catch (SQLException e) {
            pool.dispose();
            throw new IOException("cannot open the database in " + dir + ": " + StoreFault.firstLine(e.getMessage()), e);
        }
        try {
            migrate(pool, version);
        } catch (FlywayException e) {
            pool.dispose();
            throw new IOException("the database in " + dir + " cannot be migrated: "
                    + StoreFault.firstLine(e.getMessage()), e);
        }
        return new Database(pool, dir.toAbsolutePath().resolve("ctfleet.mv.db"), new DatabaseHealth(dir));
    }

    static void migrate(DataSource ds) {
        migrate(ds, null);
    }

    private static void migrate(DataSource ds, String version) {
        var config = Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration");
        if (version != null) {
            config.target(version);
        }
        config.load().migrate();
    }

    /** A connection; refused once the file is known to be damaged (see {@link DatabaseHealth}). */
    public Connection connect() throws SQLException {
        health.checkUsable();
        return pool.getConnection();
    }

    /**
     * Rewrites one row and commits: while the database is unavailable, the maintenance thread
     * calls this to learn when writes work again, even when no agent is sending.
     */
    public void probe(long nowMillis) throws StoreException {
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(
                "UPDATE store_probe SET written_at = ? WHERE id = 1")) {
            st.setLong(1, nowMillis);
            st.executeUpdate();
        } catch (SQLException e) {
            throw health.failed(e);
        }
        health.wrote();
    }

    /**
     * Gives free space inside the file back, for at most {@code maxMillis}. H2's MVStore is
     * append-only: every commit writes the pages it changed to a new chunk, and the old copies
     * become garbage inside older chunks. Two kinds of waste follow, and each needs its own step:
     * <ul>
     *   <li>sparse chunks (low {@link FileUsage#chunksFillRate()}): rewriting their live pages
     *       into a new commit leaves them dead, and a dead chunk's space can then be freed;</li>
     *   <li>holes between chunks (low {@link FileUsage#fillRate()}): freed chunks leave gaps that
     *       new chunks fill from the front, and that only moving the chunks behind them and
     *       truncating the file gives back.</li>
     * </ul>
     * This replaces H2's {@code compactFile}, which only moves chunks in a round where it also
     * rewrote some, and which set RETENTION_TIME to 0 for good (we had to put it back after every
     * call). It follows H2's background housekeeping instead (which WRITE_DELAY=0 turns off): each
     * step on its own threshold, in small steps so that ingest never waits long for the store lock.
     */
    public void compact(int maxMillis) throws SQLException {
        try (Connection c = pool.getConnection()) {
            MVStore mv = store(c).getMvStore();
            FileStore<?> file = mv.getFileStore();
            long stopAt = System.nanoTime() + maxMillis * 1_000_000L;
            long movedSinceShrink = 0;
            while (true) {
                boolean rewrote = freeAndRewrite(mv);
                boolean moving = file instanceof RandomAccessStore && file.getFillRate() < MOVE_BELOW_FILL;
                if (moving) {
                    long size = file.size();
                    ((RandomAccessStore) file).compactMoveChunks(100, STEP_BYTES, mv);
                    movedSinceShrink = file.size() < size ? 0 : movedSinceShrink + STEP_BYTES;
                }
                // A move step often only carries chunks from the middle into holes nearer the front,
                // and the file shrinks only once the chunks at its end have moved: keep going until
                // a whole file's worth of moves has not shrunk it.
                boolean stuck = !moving || movedSinceShrink > file.size();
                if (!rewrote && stuck || System.nanoTime() - stopAt > 0) {
                    return;
                }
            }
        }
    }

    /**
     * Frees every dead chunk, then rewrites the live pages of the sparsest chunks (at most
     * {@link #STEP_BYTES}) and frees those too; returns whether it rewrote any. All under the
     * store's locks, so no commit comes in between.
     *
     * <p>RETENTION_TIME (45 s) keeps a dead chunk until the OS has surely written the commits that
     * replaced it, so that a power loss can always fall back to a complete version. We sync the
     * file instead, and free right after: the same guarantee without the wait. Waiting mattered: a
     * commit writes each touched host's newest leaf again (up to 48 rows before it splits) with
     * the inner pages above it, so a chunk holds ~200 KB of which only a freshly split leaf or two
     * stay live; such 2%-full chunks were not rewritable for 45 s, and at the
     * benchmark's pace the file grew to 20 times its live data in that time.
     */
    private static boolean freeAndRewrite(MVStore mv) {
        FileStore<?> file = mv.getFileStore();
        boolean[] rewrote = {false};
        mv.executeFilestoreOperation(() -> {
            int retention = file.getRetentionTime();
            file.setRetentionTime(0);
            try {
                file.sync();
                file.dropUnusedChunks();
                if (mv.compact(REWRITE_BELOW_CHUNKS_FILL, STEP_BYTES)) {
                    rewrote[0] = true;
                    mv.commit();
                    file.sync();
                    file.dropUnusedChunks();
                }
            } finally {
                file.setRetentionTime(retention);
            }
        });
        return rewrote[0];
    }

    /** Size and fill rates of the file now. */
    public FileUsage usage() throws SQLException {
        try (Connection c = pool.getConnection()) {
            return usage(store(c).getMvStore().getFileStore());
        }
    }

    private static FileUsage usage(FileStore<?> file) {
        return new FileUsage(file.size(), file.getFillRate(), file.getChunksFillRate());
    }

    private static Store store(Connection c) throws SQLException {
        return ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore();
    }

    /** Bytes the database file takes now. */
    public long fileSize() throws SQLException {
        return usage().bytes();
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
            try {
                if (health.current().map(StoreFault::healsByItself).orElse(true)) {
                    // Never move chunks around in a damaged file: the salvage reads it as it is.
                    compact(SHUTDOWN_COMPACT_MILLIS);
                }
            } catch (RuntimeException e) {
                // a failed compaction leaves free space in the file, never a broken one: shut down anyway
            }
            st.execute("SHUTDOWN");
        } catch (SQLException e) {
            // already closed: nothing left to flush
        }
        pool.dispose();
    }
}
