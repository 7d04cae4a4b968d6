package ctfleet.server.admin;

import ctfleet.common.BackupArchive;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * The server's own backup directory ({@code --backup-dir}), the only place it writes archives.
 * An archive is made under a temporary name (a dot file ending {@value #PARTIAL}) and gets its
 * final name only once it is complete and verified, so a server killed mid-backup leaves no file
 * that looks like a backup; the leftovers are removed at the next start. Names are the server's:
 * a client never chooses a path here.
 */
final class BackupDir {
    static final String PARTIAL = ".partial";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private final Path dir;

    BackupDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Path path() {
        return dir;
    }

    /** A fresh temporary name in the directory (created 0700 when missing); the file itself does not exist yet. */
    Path temporary() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
        }
        return dir.resolve(".backup-" + UUID.randomUUID() + ".zip" + PARTIAL);
    }

    /**
     * Verifies a finished temporary archive and renames it to {@code ctfleet-<UTC time>.zip}
     * (with a counter when that name is taken); the temporary file is gone either way.
     */
    synchronized Path keep(Path temporary, Instant at) throws IOException {
        try {
            BackupArchive.verify(temporary);
            String stamp = STAMP.format(at);
            for (int n = 1; ; n++) {
                Path target = dir.resolve("ctfleet-" + stamp + (n == 1 ? "" : "-" + n) + ".zip");
                if (Files.exists(target)) {
                    continue;
                }
                try {
                    return Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    // another name, then
                }
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Removes what a server killed mid-backup left behind; returns how many files. */
    int removeLeftovers() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> partial = Files.newDirectoryStream(dir, ".backup-*" + PARTIAL)) {
            for (Path p : partial) {
                Files.deleteIfExists(p);
                n++;
            }
        } catch (IOException e) {
            // a leftover costs disk space only; the next start tries again
        }
        return n;
    }
}
