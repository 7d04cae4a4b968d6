package ctfleet.common;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file could not be used, in words: Java's NoSuchFileException says only the path
 * ("/nonexistent"), which as a message reads like an echo of the flag, not a reason.
 */
public final class FileErrors {
    private FileErrors() {}

    public static String reason(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "it already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        if (e instanceof IOException && e.getMessage() != null) {
            return e.getMessage().toLowerCase(java.util.Locale.ROOT); // e.g. "Is a directory"
        }
        return String.valueOf(e.getMessage());
    }

    /** The reason of the first file error in {@code e}'s causes, or null. */
    public static String find(Throwable e) {
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof FileSystemException || c instanceof IOException && "Is a directory".equals(c.getMessage())) {
                return reason(c);
            }
        }
        return null;
    }
}
