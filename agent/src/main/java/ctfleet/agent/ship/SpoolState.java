package ctfleet.agent.ship;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The spool's small persistent facts besides the records themselves.
 *
 * @param ackedSeq every record with seq at or below this is forgotten, acknowledged or dropped;
 *     it also keeps sequence numbers increasing after every segment has been deleted
 * @param dropped records dropped (for space, or lost to a damaged frame) and not yet reported to
 *     the server
 * @param lost seq ranges found damaged and already counted in {@code dropped}, so that
 *     damage that stays in a segment file is not counted again at the next open; only ranges
 *     above {@code ackedSeq} matter
 */
record SpoolState(long ackedSeq, long dropped, List<SeqRange> lost) {
    static final SpoolState EMPTY = new SpoolState(0, 0);
    static final String FILE = "state";
    static final String TEMP_FILE = "state.tmp";

    SpoolState(long ackedSeq, long dropped) {
        this(ackedSeq, dropped, List.of());
    }

    SpoolState {
        List<SeqRange> kept = new ArrayList<>();
        for (SeqRange r : lost) {
            if (r.to() > ackedSeq) {
                kept.add(r);
            }
        }
        lost = List.copyOf(kept);
    }

    /** Text so an operator can read it with cat; lines of key=value, unknown keys ignored. */
    String format() {
        StringBuilder ranges = new StringBuilder();
        for (SeqRange r : lost) {
            ranges.append(ranges.length() == 0 ? "" : ",").append(r.from()).append('-').append(r.to());
        }
        return "acked=" + ackedSeq + "\ndropped=" + dropped + "\n" + (lost.isEmpty() ? "" : "lost=" + ranges + "\n");
    }

    static Optional<SpoolState> parse(String text) {
        Long acked = null;
        Long dropped = null;
        List<SeqRange> lost = new ArrayList<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).trim();
            if (key.equals("lost")) {
                // Unreadable ranges only risk counting a damaged record twice: never fatal.
                for (String r : line.substring(eq + 1).trim().split(",")) {
                    String[] ends = r.split("-");
                    try {
                        lost.add(new SeqRange(Long.parseLong(ends[0]), Long.parseLong(ends[ends.length - 1])));
                    } catch (NumberFormatException e) {
                        // skip it
                    }
                }
                continue;
            }
            try {
                long value = Long.parseLong(line.substring(eq + 1).trim());
                if (value < 0) {
                    return Optional.empty();
                }
                switch (key) {
                    case "acked" -> acked = value;
                    case "dropped" -> dropped = value;
                    default -> { }
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (acked == null || dropped == null) {
            return Optional.empty();
        }
        return Optional.of(new SpoolState(acked, dropped, lost));
    }

    /** Missing means a new spool; empty means the file exists but does not parse. */
    static Optional<SpoolState> read(Path dir) throws IOException {
        try {
            // Latin-1 decodes any bytes, so a garbage file is "does not parse", not an exception.
            return parse(new String(Files.readAllBytes(dir.resolve(FILE)), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return Optional.of(EMPTY);
        }
    }

    /**
     * Temp file, fsync, rename over the old one, fsync the directory: after a crash the file is
     * either the old state or the new one, never half of each, and a segment deleted after this
     * returns cannot outlive the state that justified deleting it.
     */
    void write(Path dir) throws IOException {
        Path temp = dir.resolve(TEMP_FILE);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dir);
    }

    static void forceDirectory(Path dir) {
        // Linux lets a directory be opened read-only and fsynced; elsewhere this can fail, and
        // then the rename is merely as durable as the file system makes it on its own.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // best effort, see above
        }
    }
}
