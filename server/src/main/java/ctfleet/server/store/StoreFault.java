package ctfleet.server.store;

import java.io.IOException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

/**
 * Why the database cannot do its job, in the operator's words: the cause H2 wraps (the
 * {@code IOException} under "The database has been closed") turned into one sentence that names
 * the directory.
 *
 * @param kind    what went wrong; only {@link Kind#DAMAGED} needs a person, the rest heal when the
 *                disk does
 * @param message "no space left on /var/lib/ctfleet", for logs and for callers after "the server's
 *                database is unavailable: "
 * @param cause   the underlying error's own text, for the log
 */
public record StoreFault(Kind kind, String message, String cause) {
    public enum Kind {
        DISK_FULL("disk-full"),
        READ_ONLY("read-only"),
        IO_ERROR("io-error"),
        DAMAGED("damaged"),
        CLOSED("closed");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** The value of the {@code ctfleet-store-fault} trailer and of the metric's label. */
        public String wireName() {
            return wireName;
        }
    }

    // H2 error codes (org.h2.api.ErrorCode) and MVStore's (DataUtils): kept here, the one place
    // that reads them, so that another database only needs another classification.
    private static final int FILE_CORRUPTED = 90030;
    private static final int DATABASE_IS_READ_ONLY = 90097;
    private static final int DATABASE_IS_CLOSED = 90098;
    private static final int DATABASE_CALLED_AT_SHUTDOWN = 90121;
    private static final int TABLE_NOT_FOUND = 42102;
    private static final int TABLE_NOT_FOUND_DATABASE_EMPTY = 42104;
    private static final int MVSTORE_FILE_CORRUPT = 6;

    /** Whether it clears by itself once the disk has room or is writable again. */
    public boolean healsByItself() {
        return kind != Kind.DAMAGED;
    }

    /** The sentence a caller sees. */
    public String forCaller() {
        return "the server's database is unavailable: " + message;
    }

    /**
     * The fault behind {@code t}, or empty when it is not the store's (a bug, a constraint): the
     * deepest cause says most, so the whole chain is read.
     */
    public static Optional<StoreFault> classify(Throwable t, Path dir) {
        String file = dir.resolve("ctfleet.mv.db").toString();
        boolean closed = false;
        boolean corrupt = false;
        String corruptText = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String msg = c.getMessage() == null ? "" : c.getMessage();
            String lower = msg.toLowerCase(Locale.ROOT);
            if (c instanceof IOException) {
                if (lower.contains("no space left") || lower.contains("disk quota exceeded")) {
                    return Optional.of(new StoreFault(Kind.DISK_FULL, "no space left on " + dir, firstLine(msg)));
                }
                if (lower.contains("read-only file system") || c instanceof AccessDeniedException
                        || lower.contains("permission denied")) {
                    return Optional.of(new StoreFault(Kind.READ_ONLY, "cannot write to " + dir + " ("
                            + firstLine(msg) + ")", firstLine(msg)));
                }
                if (!(c.getCause() instanceof IOException)) {
                    return Optional.of(new StoreFault(Kind.IO_ERROR, "I/O error on " + file + ": " + firstLine(msg),
                            firstLine(msg)));
                }
            }
            if (c instanceof NonWritableChannelException) {
                return Optional.of(new StoreFault(Kind.READ_ONLY, "cannot write to " + file, c.toString()));
            }
            if (c instanceof SQLException s) {
                switch (s.getErrorCode()) {
                    case DATABASE_IS_READ_ONLY -> {
                        return Optional.of(new StoreFault(Kind.READ_ONLY, "H2 opened " + file + " read-only",
                                firstLine(msg)));
                    }
                    case FILE_CORRUPTED -> {
                        corrupt = true;
                        corruptText = corruptText == null ? firstLine(msg) : corruptText;
                    }
                    case TABLE_NOT_FOUND, TABLE_NOT_FOUND_DATABASE_EMPTY -> {
                        // Every table the server names is made by its migrations: missing means the
                        // file under the server is no longer the database it migrated.
                        corrupt = true;
                        corruptText = corruptText == null ? firstLine(msg) : corruptText;
                    }
                    case DATABASE_IS_CLOSED, DATABASE_CALLED_AT_SHUTDOWN -> closed = true;
                    default -> { }
                }
            }
            if (c instanceof org.h2.mvstore.MVStoreException m && m.getErrorCode() == MVSTORE_FILE_CORRUPT) {
                corrupt = true;
                corruptText = corruptText == null ? firstLine(msg) : corruptText;
            }
        }
        if (corrupt) {
            String why = clip(corruptText);
            return Optional.of(new StoreFault(Kind.DAMAGED, file + " is damaged (" + why
                    + "); stop the server and salvage it with: ctfleet admin recover --db " + dir + " --to NEWDIR",
                    why));
        }
        if (closed) {
            return Optional.of(new StoreFault(Kind.CLOSED, "H2 closed " + file + " after an earlier error",
                    firstLine(t.getMessage())));
        }
        return Optional.empty();
    }

    /**
     * The first line of an error message, without what H2 adds for its own developers: the error
     * code suffix, the file name quoted again, and "use the recovery tool" (which wrote no data
     * from any file we damaged; {@code ctfleet admin recover} is the way out).
     */
    static String firstLine(String s) {
        String line = s == null ? "" : s.lines().findFirst().orElse("");
        return line.replaceAll(" ?\\[\\d+-\\d+\\]$", "")
                .replaceAll("\\. Possible solution: use the recovery tool", "")
                .replaceAll(": \"[^\"]*\\.mv\\.db\"", "")
                .trim();
    }

    private static String clip(String s) {
        // H2's corruption messages carry whole chunk descriptions; the first words say what matters.
        String t = s.replaceFirst("^General error: \"?(org\\.h2\\.mvstore\\.MVStoreException: )?", "");
        int chunk = t.indexOf(", chunk ");
        if (chunk > 0) {
            t = t.substring(0, chunk);
        }
        return t.length() > 120 ? t.substring(0, 120) + "..." : t;
    }
}
