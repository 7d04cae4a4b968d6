package ctfleet.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Standard output that remembers why a write failed. PrintWriter swallows the IOException, so
 * {@code ctfleet top > /dev/full} exited 0 having written nothing; a report that was lost must
 * be an error. A reader that went away ({@code | head -1}: EPIPE) is not: it has what it wanted.
 */
final class Stdout extends OutputStream {
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private volatile IOException failure;

    static Stdout open() {
        return new Stdout();
    }

    PrintWriter writer() {
        return new PrintWriter(new java.io.OutputStreamWriter(this, StandardCharsets.UTF_8), true);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
            throw e;
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Why the output was lost, or null when it was written (or its reader left: EPIPE). */
    String lost() {
        IOException e = failure;
        if (e == null || String.valueOf(e.getMessage()).contains("Broken pipe")) {
            return null;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
