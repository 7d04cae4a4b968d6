package ctfleet.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * What makes a file a ctfleet backup: a zip (H2's {@code BACKUP TO}) with its central directory,
 * whose {@code ctfleet.mv.db} entry is an H2 MVStore file, every entry reading back to its recorded
 * size and CRC. Both ends check it, the server before it keeps or sends an archive and the CLI
 * before it renames what it received to the name the user gave: a truncated archive must never
 * sit under a backup's name.
 */
public final class BackupArchive {
    public static final String DATABASE_ENTRY = "ctfleet.mv.db";
    /** An MVStore file starts with its header block, "H:2,...". */
    private static final byte[] MVSTORE_HEADER = "H:2,".getBytes(StandardCharsets.US_ASCII);

    private BackupArchive() {}

    /** Reads the whole archive; an {@link IOException} says why it is not a complete backup. */
    public static void verify(Path zip) throws IOException {
        boolean database = false;
        // ZipFile reads the central directory at the end of the file: a cut-short archive has none.
        try (ZipFile z = new ZipFile(zip.toFile())) {
            byte[] buf = new byte[64 * 1024];
            for (Enumeration<? extends ZipEntry> all = z.entries(); all.hasMoreElements(); ) {
                ZipEntry e = all.nextElement();
                boolean isDatabase = e.getName().equals(DATABASE_ENTRY);
                CRC32 crc = new CRC32();
                long size = 0;
                byte[] head = new byte[MVSTORE_HEADER.length];
                try (InputStream in = z.getInputStream(e)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        if (size < head.length) {
                            System.arraycopy(buf, 0, head, (int) size, (int) Math.min(n, head.length - size));
                        }
                        crc.update(buf, 0, n);
                        size += n;
                    }
                }
                if (size != e.getSize() || crc.getValue() != e.getCrc()) {
                    throw new IOException("entry " + e.getName() + " is damaged (size or CRC does not match)");
                }
                if (isDatabase) {
                    if (!java.util.Arrays.equals(head, MVSTORE_HEADER)) {
                        throw new IOException(DATABASE_ENTRY + " in the archive is not an H2 database file");
                    }
                    database = true;
                }
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException("not a complete zip archive (" + e.getMessage() + ")");
        }
        if (!database) {
            throw new IOException("the archive holds no " + DATABASE_ENTRY);
        }
    }
}
