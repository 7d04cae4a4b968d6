package ctfleet.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.Executor;

/**
 * Sends {@code authorization: Bearer <token>} with every call, the token read from a file (and read
 * again when the file changes, so a rotated token needs no restart). Refuses to send it in plaintext
 * to anything but loopback: a token sniffed off the network is as good as the agent.
 */
public final class BearerToken extends CallCredentials {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private record Cached(FileTime modified, String token) {}

    private final Path file;
    private volatile Cached cached;

    public BearerToken(Path file) {
        this.file = file;
    }

    /** Reads the token now, so a missing or malformed file is a start-up error rather than a failing call. */
    public BearerToken check() throws IOException {
        token();
        return this;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
        appExecutor.execute(() -> {
            if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY && !loopback(info.getAuthority())) {
                applier.fail(Status.UNAUTHENTICATED.withDescription("not sending the bearer token in plaintext to "
                        + info.getAuthority() + ": use TLS (--tls-ca FILE)"));
                return;
            }
            try {
                Metadata m = new Metadata();
                m.put(AUTHORIZATION, "Bearer " + token());
                applier.apply(m);
            } catch (IOException | RuntimeException e) {
                applier.fail(Status.UNAUTHENTICATED.withDescription(e.getMessage()));
            }
        });
    }

    private String token() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        Cached c = cached;
        if (c != null && c.modified().equals(modified)) {
            return c.token();
        }
        String token = parse(Files.readString(file), file);
        cached = new Cached(modified, token);
        return token;
    }

    /** The token is the file's one line; the message never quotes the file, which holds a secret. */
    static String parse(String text, Path file) throws IOException {
        String t = text.strip();
        if (t.isEmpty() || !t.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new IOException("--token-file " + file
                    + ": must hold one token of printable ASCII without spaces (and nothing else)");
        }
        return t;
    }

    static boolean loopback(String authority) {
        if (authority == null) {
            return false;
        }
        String host = authority;
        if (host.startsWith("[")) {
            host = host.substring(1, Math.max(1, host.indexOf(']')));
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
