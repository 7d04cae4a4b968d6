package ctfleet.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Copies what can still be read from a damaged database into a new one, table by table, and says
 * what could not be read. The damaged file is only ever opened read-only.
 *
 * <p>Each table is read in key order. When a read fails (a page H2 cannot decode), the copy
 * continues after the last row it got; a stretch of keys that cannot be read at all is measured by
 * a binary search for the first key from which reading works again, and reported as lost. Keys of
 * two columns ({@code (host_ref, ts)}) are searched host by host, so one bad page costs that page's
 * rows, not the host's whole history. H2's own recovery tool was tried first: on files cut short or
 * with a damaged page it wrote no data at all.
 *
 * <p>The new database is created at the damaged one's schema version (the server migrates it on
 * start). Rows whose host row was lost keep their history under a placeholder host
 * ({@code lost-host-<ref>}), so that it stays visible.
 */
public final class Salvage {
    /** Flyway's own table is written by the migrations of the new database; the probe row too. */
    private static final Set<String> NOT_COPIED = Set.of(DatabaseCheck.HISTORY, "STORE_PROBE");
    /** hosts first (placeholders need to know which exist); host_latest last (its foreign key needs its host). */
    private static final List<String> ORDER = List.of("HOSTS", "SAMPLES", "SAMPLES_1M", "SAMPLES_1H",
            "ENTRY_SUMMARIES", "HOST_LATEST");
    private static final int BATCH = 1000;

    /** What one table gave: rows copied, rows it held by its own count (-1: unreadable), what was lost. */
    public record TableReport(String table, long copied, long counted, List<String> lost) {
        /** Rows known lost: the table's own count less what was copied (0 when the count was unreadable). */
        public long lostRows() {
            return counted < 0 ? 0 : Math.max(0, counted - copied);
        }
    }

    /**
     * @param schemaVersion the damaged database's schema version (the new one starts there)
     * @param placeholders  hosts whose row was lost but whose data was not
     */
    public record Report(Path from, Path to, String schemaVersion, List<TableReport> tables, List<String> placeholders) {
        public boolean lostAnything() {
            return !placeholders.isEmpty() || tables.stream().anyMatch(t -> !t.lost().isEmpty() || t.lostRows() > 0);
        }
    }

    /** Nothing at all can be read from the file: the message says so and what to do instead. */
    public static final class Impossible extends IOException {
        Impossible(String message) {
            super(message);
        }
    }

    private final Path fromDir;
    private final Path toDir;
    private final Consumer<String> progress;
    private Connection source;
    /** Keeps the damaged database open while {@link #source} is replaced (see {@link #freshSession()}). */
    private Connection anchor;
    private Connection target;
    private final Map<Long, String> hostIds = new HashMap<>();
    private final Set<Long> refsSeen = new TreeSet<>();

    private Salvage(Path fromDir, Path toDir, Consumer<String> progress) {
        this.fromDir = fromDir;
        this.toDir = toDir;
        this.progress = progress;
    }

    /**
     * Salvages the database in {@code fromDir} into a new one in {@code toDir} (which must not
     * exist or be empty).
     */
    public static Report run(Path fromDir, Path toDir, Consumer<String> progress) throws IOException, SQLException {
        Path file = DatabaseCheck.file(fromDir);
        if (!Files.isRegularFile(file)) {
            throw new IOException("there is no database file " + file);
        }
        if (Files.exists(toDir)) {
            try (Stream<Path> entries = Files.list(toDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(toDir + " is not empty: give a new directory for the salvaged database");
                }
            }
        }
        if (toDir.toAbsolutePath().normalize().equals(fromDir.toAbsolutePath().normalize())) {
            throw new IOException("--to must be another directory than --db: the damaged file is kept as it is");
        }
        return new Salvage(fromDir, toDir, progress).run(file);
    }

    private Report run(Path file) throws IOException, SQLException {
        if (Files.size(file) == 0) {
            throw new Impossible(file + " is empty (0 bytes): there is nothing to salvage. Restore the newest backup"
                    + " into an empty --db directory; the agents then replay what their spools still hold.");
        }
        try {
            anchor = DriverManager.getConnection(sourceUrl(), "ctfleet", "");
            source = DriverManager.getConnection(sourceUrl(), "ctfleet", "");
        } catch (SQLException e) {
            if (e.getErrorCode() == 90020) { // DATABASE_ALREADY_OPEN
                throw new IOException(file + " is in use by another process: stop the server first");
            }
            throw new Impossible("H2 cannot open " + file + " at all (" + StoreFault.firstLine(e.getMessage())
                    + "), so no table can be read from it: a file cut short loses the chunks that say where every"
                    + " table is. Restore the newest backup into an empty --db directory; the agents then replay"
                    + " what their spools still hold.");
        }
        try {
            String version = schemaVersion();
            progress.accept("the damaged database is at schema version " + (version == null ? "(unknown)" : "V" + version));
            Database created = Database.create(toDir, version);
            try {
                target = created.connect();
                target.setAutoCommit(false);
                List<TableReport> reports = new ArrayList<>();
                List<String> placeholders = new ArrayList<>();
                for (String table : tables()) {
                    if (table.equals("HOST_LATEST")) {
                        placeholders.addAll(placeholders());
                    }
                    reports.add(copy(table));
                }
                if (!reports.stream().anyMatch(r -> r.table().equals("HOST_LATEST"))) {
                    placeholders.addAll(placeholders());
                }
                restartHostIds();
                target.commit();
                target.close();
                return new Report(fromDir, toDir, version, reports, placeholders);
            } finally {
                created.close();
            }
        } finally {
            source.close();
            anchor.close();
        }
    }

    /**
     * Read-only, and lazy: by default H2 builds a whole result before handing out its first row,
     * so a read that fails at the damaged page would give none of the rows before it.
     */
    private String sourceUrl() {
        return DatabaseCheck.readOnlyUrl(fromDir) + ";LAZY_QUERY_EXECUTION=1";
    }

    /**
     * A new session after a failed read: H2 leaves something behind in the session's transaction
     * on each failure, and with a few thousand of them every statement took seconds.
     */
    private void freshSession() throws SQLException {
        source.close();
        source = DriverManager.getConnection(sourceUrl(), "ctfleet", "");
    }

    /** The applied schema version, or null when the history cannot be read (then the newest is used). */
    private String schemaVersion() {
        try (PreparedStatement q = source.prepareStatement("SELECT \"version\" FROM \"" + DatabaseCheck.HISTORY
                + "\" WHERE \"version\" IS NOT NULL AND \"success\"");
             ResultSet rs = q.executeQuery()) {
            String best = null;
            while (rs.next()) {
                if (best == null || DatabaseCheck.leadingInt(rs.getString(1)) > DatabaseCheck.leadingInt(best)) {
                    best = rs.getString(1);
                }
            }
            return best;
        } catch (SQLException e) {
            progress.accept("the Flyway history cannot be read (" + StoreFault.firstLine(e.getMessage())
                    + "): the new database gets the newest schema");
            return null;
        }
    }

    /** The tables both databases have, in copy order. */
    private List<String> tables() throws SQLException {
        Set<String> inSource = baseTables(source);
        Set<String> inTarget = baseTables(target);
        Set<String> out = new LinkedHashSet<>();
        for (String t : ORDER) {
            if (inSource.contains(t) && inTarget.contains(t)) {
                out.add(t);
            }
        }
        for (String t : inSource) {
            if (inTarget.contains(t) && !NOT_COPIED.contains(t) && !out.contains(t)) {
                out.add(t);
            }
        }
        for (String t : inTarget) {
            if (!inSource.contains(t) && !NOT_COPIED.contains(t)) {
                progress.accept("table " + t + " is missing from the damaged database: nothing of it can be salvaged");
            }
        }
        return new ArrayList<>(out);
    }

    private static Set<String> baseTables(Connection c) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (PreparedStatement q = c.prepareStatement("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The primary key's columns in order, empty when the table has none. */
    static List<String> primaryKey(Connection c, String table) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS t"
                + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA"
                + " AND k.CONSTRAINT_NAME = t.CONSTRAINT_NAME"
                + " WHERE t.TABLE_SCHEMA = 'PUBLIC' AND t.TABLE_NAME = ? AND t.CONSTRAINT_TYPE = 'PRIMARY KEY'"
                + " ORDER BY k.ORDINAL_POSITION")) {
            q.setString(1, table);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return cols;
    }

    private static List<String> columns(Connection c, String table) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS"
                + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            q.setString(1, table);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return cols;
    }

    /** One table's copy in progress. */
    private final class TableCopy {
        final String table;
        final List<String> key;
        final List<String> cols;
        final PreparedStatement insert;
        final List<String> lost = new ArrayList<>();
        int pending;
        long copied;

        TableCopy(String table, List<String> key, List<String> cols) throws SQLException {
            this.table = table;
            this.key = key;
            this.cols = cols;
            this.insert = target.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", cols)
                    + ") VALUES (" + String.join(", ", java.util.Collections.nCopies(cols.size(), "?")) + ")");
        }

        /** Copies rows with the key columns before {@code level} equal to {@code prefix} and key column {@code level} in [lo, hi). */
        void copy(long[] prefix, int level, long lo, long hi) throws SQLException {
            while (lo < hi) {
                long[] last = stream(prefix, level, lo, hi);
                if (last == null) {
                    return; // read to the end of the range
                }
                if (last.length > 0) {
                    // Read up to `last`, then failed: finish the partial groups, deepest first.
                    for (int d = key.size() - 1; d > level; d--) {
                        long[] group = java.util.Arrays.copyOf(last, d);
                        if (last[d] < Long.MAX_VALUE) {
                            copy(group, d, last[d] + 1, Long.MAX_VALUE);
                        }
                    }
                    if (last[level] == Long.MAX_VALUE) {
                        return;
                    }
                    lo = last[level] + 1;
                    continue;
                }
                // Failed before the first row.
                if (level + 1 < key.size()) {
                    long[] group = java.util.Arrays.copyOf(prefix, level + 1);
                    group[level] = lo;
                    copy(group, level + 1, Long.MIN_VALUE, Long.MAX_VALUE);
                    if (lo == Long.MAX_VALUE) {
                        return;
                    }
                    lo = lo + 1;
                    continue;
                }
                long readable = firstReadable(prefix, level, lo, hi);
                lost.add(describe(table, key, prefix, lo, readable));
                lo = readable;
            }
        }

        /**
         * Copies the range in key order. Returns null when it read to the end, else the key of the
         * last row it got before a read failed (empty when it got none).
         */
        private long[] stream(long[] prefix, int level, long lo, long hi) throws SQLException {
            long[] last = new long[0];
            try (PreparedStatement q = source.prepareStatement("SELECT " + String.join(", ", cols) + " FROM " + table
                    + where(prefix, level) + " ORDER BY " + String.join(", ", key))) {
                bind(q, prefix, level, lo, hi);
                q.setFetchSize(BATCH);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        long[] k = new long[key.size()];
                        for (int i = 0; i < key.size(); i++) {
                            k[i] = rs.getLong(key.get(i));
                        }
                        for (int i = 0; i < cols.size(); i++) {
                            insert.setObject(i + 1, rs.getObject(i + 1));
                        }
                        noteHost(table, cols, rs, k);
                        insert.addBatch();
                        copied++;
                        if (++pending == BATCH) {
                            flush();
                        }
                        last = k;
                    }
                }
                return null;
            } catch (SQLException | RuntimeException e) {
                if (!unreadable(e)) {
                    throw e;
                }
                freshSession();
                return last;
            } finally {
                flush();
            }
        }

        /** The smallest key in (lo, hi] from which reading works again: the damaged stretch is [lo, that). */
        private long firstReadable(long[] prefix, int level, long lo, long hi) throws SQLException {
            long bad = lo;
            long good = hi;
            while (good - bad > 1) {
                long mid = bad + (good - bad) / 2;
                if (readable(prefix, level, mid, hi)) {
                    good = mid;
                } else {
                    bad = mid;
                }
            }
            return good;
        }

        private boolean readable(long[] prefix, int level, long lo, long hi) throws SQLException {
            // Every column, as the copy reads them: the key alone may come from an index whose pages are
            // fine while the rows' own pages are not.
            try (PreparedStatement q = source.prepareStatement("SELECT " + String.join(", ", cols) + " FROM " + table
                    + where(prefix, level) + " ORDER BY " + String.join(", ", key) + " FETCH FIRST 1 ROWS ONLY")) {
                bind(q, prefix, level, lo, hi);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        for (int i = 1; i <= cols.size(); i++) {
                            rs.getObject(i);
                        }
                    }
                    return true;
                }
            } catch (SQLException | RuntimeException e) {
                if (!unreadable(e)) {
                    throw e;
                }
                freshSession();
                return false;
            }
        }

        private String where(long[] prefix, int level) {
            StringBuilder w = new StringBuilder(" WHERE ");
            for (int i = 0; i < level; i++) {
                w.append(key.get(i)).append(" = ? AND ");
            }
            return w.append(key.get(level)).append(" >= ? AND ").append(key.get(level)).append(" < ?").toString();
        }

        private void bind(PreparedStatement q, long[] prefix, int level, long lo, long hi) throws SQLException {
            int p = 1;
            for (int i = 0; i < level; i++) {
                q.setLong(p++, prefix[i]);
            }
            q.setLong(p++, lo);
            q.setLong(p, hi);
        }

        void flush() throws SQLException {
            if (pending > 0) {
                insert.executeBatch();
                target.commit();
                pending = 0;
            }
        }
    }

    /** A read that failed on the file's content, as opposed to a mistake in this code. */
    private static boolean unreadable(Throwable e) {
        return StoreFault.classify(e, Path.of(".")).isPresent() || e instanceof SQLException s && s.getErrorCode() == 50000
                || e instanceof IllegalStateException || e instanceof IndexOutOfBoundsException;
    }

    private TableReport copy(String table) throws SQLException {
        progress.accept("copying " + table.toLowerCase(java.util.Locale.ROOT) + " ...");
        List<String> key = primaryKey(source, table);
        List<String> cols = new ArrayList<>(columns(source, table));
        cols.retainAll(columns(target, table));
        long counted;
        try (PreparedStatement q = source.prepareStatement("SELECT COUNT(*) FROM " + table); ResultSet rs = q.executeQuery()) {
            rs.next();
            counted = rs.getLong(1);
        } catch (SQLException | RuntimeException e) {
            counted = -1;
        }
        TableCopy copy = new TableCopy(table, key, cols);
        if (key.isEmpty()) {
            // Without a key there is no order to resume in: read it whole or lose what is after the failure.
            copy.key.add(cols.get(0));
        }
        if (table.equals("HOST_LATEST")) {
            ensureHosts(copy);
        }
        long[] bounds = bounds(table, copy.key.get(0));
        copy.copy(new long[0], 0, bounds[0], bounds[1]);
        copy.flush();
        copy.insert.close();
        return new TableReport(table, copy.copied, counted, copy.lost);
    }

    /** [MIN, MAX + 1) of the first key column when those can be read, else the whole range. */
    private long[] bounds(String table, String column) {
        try (PreparedStatement q = source.prepareStatement("SELECT MIN(" + column + "), MAX(" + column + ") FROM " + table);
             ResultSet rs = q.executeQuery()) {
            rs.next();
            long max = rs.getLong(2);
            return rs.wasNull() ? new long[] {0, 0} : new long[] {rs.getLong(1), max == Long.MAX_VALUE ? max : max + 1};
        } catch (SQLException | RuntimeException e) {
            return new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        }
    }

    /** Remembers host ids (from hosts) and which host refs the copied rows belong to. */
    private void noteHost(String table, List<String> cols, ResultSet rs, long[] key) throws SQLException {
        if (table.equals("HOSTS")) {
            hostIds.put(rs.getLong("ID"), rs.getString("HOST_ID"));
        } else if (table.equals("SAMPLES") && cols.contains("ID") && !cols.contains("HOST_REF")) {
            refsSeen.add(SampleKey.hostRef(key[0]));
        } else if (cols.contains("HOST_REF")) {
            refsSeen.add(rs.getLong("HOST_REF"));
        }
    }

    /** host_latest's foreign key needs a host row for every row it copies. */
    private void ensureHosts(TableCopy copy) throws SQLException {
        try (PreparedStatement q = source.prepareStatement("SELECT host_ref FROM host_latest"); ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                refsSeen.add(rs.getLong(1));
            }
        } catch (SQLException | RuntimeException e) {
            // rows of host_latest that cannot be read are not copied either
        }
        placeholders();
    }

    private List<String> placeholders() throws SQLException {
        List<String> made = new ArrayList<>();
        for (long ref : refsSeen) {
            if (!hostIds.containsKey(ref)) {
                String name = "lost-host-" + ref;
                try (PreparedStatement ins = target.prepareStatement("INSERT INTO hosts (id, host_id, labels, kernel,"
                        + " agent_version, timeouts, dropped_samples, conflicts, first_seen) VALUES (?, ?, '{}', '', '', '{}', 0, 0, 0)")) {
                    ins.setLong(1, ref);
                    ins.setString(2, name);
                    ins.executeUpdate();
                }
                hostIds.put(ref, name);
                made.add(name);
            }
        }
        target.commit();
        if (!made.isEmpty()) {
            progress.accept("hosts whose row was lost keep their data under " + String.join(", ", made));
        }
        return made;
    }

    /** New hosts get ids after the copied ones. */
    private void restartHostIds() throws SQLException {
        long next = hostIds.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        try (PreparedStatement q = target.prepareStatement("ALTER TABLE hosts ALTER COLUMN id RESTART WITH " + next)) {
            q.execute();
        }
    }

    /** A lost stretch in the operator's terms: which host and which times, when the key says so. */
    private String describe(String table, List<String> key, long[] prefix, long lo, long hi) {
        if (key.size() == 1 && key.get(0).equals("ID") && table.equals("SAMPLES")) {
            long ref = SampleKey.hostRef(lo);
            if (SampleKey.hostRef(hi - 1) == ref) {
                return host(ref) + " " + time(SampleKey.ts(lo)) + " to " + time(SampleKey.ts(hi - 1));
            }
            return "hosts " + host(ref) + " to " + host(SampleKey.hostRef(hi - 1)) + " (keys " + lo + ".." + (hi - 1) + ")";
        }
        if (key.size() == 2 && key.get(0).equals("HOST_REF") && key.get(1).equals("TS") && prefix.length == 1) {
            return host(prefix[0]) + " " + time(lo) + " to " + time(hi - 1);
        }
        String where = prefix.length == 0 ? "" : key.get(0) + " " + prefix[0] + ", ";
        return where + key.get(prefix.length) + " " + lo + ".." + (hi - 1);
    }

    private String host(long ref) {
        String id = hostIds.get(ref);
        return id == null ? "host ref " + ref : id;
    }

    private static String time(long ms) {
        if (ms <= 0) {
            return "the start";
        }
        if (ms >= SampleKey.TS_RANGE - 1) {
            return "the end";
        }
        return Instant.ofEpochMilli(ms).toString();
    }
}
