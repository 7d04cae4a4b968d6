package ctfleet.server.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The database directory holds a file the server must not open for writing: damaged, in use by
 * another process, or unreadable. {@link #getMessage()} is the one line the server prints; the
 * file has not been touched.
 */
public final class DatabaseRefused extends IOException {
    /** Exit status of a server that refused its database: not a usage error, and restarting will not help. */
    public static final int EXIT_STATUS = 3;

    private DatabaseRefused(String message) {
        super(message, null);
    }

    static DatabaseRefused damaged(Path dir, Path file, String why) {
        Path to = dir.toAbsolutePath().resolveSibling(dir.getFileName() + "-recovered");
        return new DatabaseRefused("the database file " + file + " is damaged (" + why + "); it was left as it was."
                + " Salvage what can be read with: ctfleet admin recover --db " + dir + " --to " + to
                + ", then start the server with --db " + to + " (or restore a backup into an empty --db directory)");
    }

    static DatabaseRefused inUse(Path file) {
        return new DatabaseRefused("the database file " + file + " is in use by another process (another ctfleet"
                + " server on the same --db?); stop it first");
    }

    static DatabaseRefused readOnly(Path file) {
        return new DatabaseRefused("cannot write to the database file " + file + " (a read-only file or file system);"
                + " the server stores every sample there: make it writable for the server's user, it was left as it was");
    }

    static DatabaseRefused unreadable(Path file, String why) {
        return new DatabaseRefused("cannot read the database file " + file + " (" + why
                + "); run the server as the user that owns it");
    }
}
