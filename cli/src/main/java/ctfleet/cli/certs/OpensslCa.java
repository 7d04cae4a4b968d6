package ctfleet.cli.certs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A small certificate authority for trying TLS and mutual TLS, driven through the {@code openssl}
 * command (OpenSSL 3.x): EC P-256 keys in PKCS#8 PEM, which is what the server and agent read.
 *
 * <p>Why openssl and not a Java library: the JDK has no public API to sign a certificate, and the
 * one library that does (BouncyCastle's bcpkix) would add 1.5 MB to the CLI for a command run once;
 * openssl is on every machine that would run it, and the commands it runs are the documented recipe.
 */
public final class OpensslCa {
    private static final Pattern IP = Pattern.compile("[0-9.]+|.*:.*");
    private final Path dir;
    private final Path cert;
    private final Path key;

    private OpensslCa(Path dir, Path cert, Path key) {
        this.dir = dir;
        this.cert = cert;
        this.key = key;
    }

    /** A certificate and its key. */
    public record Issued(Path cert, Path key) {}

    /** Which side of a connection a certificate is for. */
    public enum Use {
        SERVER("serverAuth"), CLIENT("clientAuth");

        final String eku;

        Use(String eku) {
            this.eku = eku;
        }
    }

    /** Creates a new CA ({@code ca.pem}, {@code ca.key}) in {@code dir}. */
    public static OpensslCa create(Path where, String commonName, int days) throws IOException {
        // openssl runs with dir as its working directory, so a relative path such as ./pki would
        // name ./pki/pki/... there: every path handed to it is absolute.
        Path dir = where.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Path cert = dir.resolve("ca.pem");
        Path key = dir.resolve("ca.key");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", String.valueOf(days),
                "-subj", "/CN=" + commonName,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        ownerOnly(key);
        return new OpensslCa(dir, cert, key);
    }

    public Path cert() {
        return cert;
    }

    /**
     * Issues {@code name.pem} and {@code name.key} in the CA's directory for {@code commonName}, with
     * DNS or IP subject alternative names. A negative {@code days} makes a certificate that has
     * already expired (its notAfter is before now), which is what tests of expiry need.
     */
    public Issued issue(String name, String commonName, List<String> altNames, Use use, int days) throws IOException {
        Path leafKey = dir.resolve(name + ".key");
        Path leafCert = dir.resolve(name + ".pem");
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        List<String> sans = new ArrayList<>();
        for (String a : altNames) {
            sans.add((IP.matcher(a).matches() ? "IP:" : "DNS:") + a);
        }
        Files.writeString(ext, "basicConstraints=critical,CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=" + use.eku + "\n"
                + (sans.isEmpty() ? "" : "subjectAltName=" + String.join(",", sans) + "\n"));
        try {
            run(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", leafKey.toString(), "-out", csr.toString(), "-subj", "/CN=" + commonName);
            ownerOnly(leafKey);
            byte[] serial = new byte[16];
            new SecureRandom().nextBytes(serial);
            serial[0] &= 0x7f; // a positive serial
            run(dir, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", cert.toString(), "-CAkey", key.toString(),
                    "-set_serial", "0x" + HexFormat.of().formatHex(serial), "-days", String.valueOf(days),
                    "-extfile", ext.toString(), "-out", leafCert.toString());
        } finally {
            Files.deleteIfExists(csr);
            Files.deleteIfExists(ext);
        }
        return new Issued(leafCert, leafKey);
    }

    static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run openssl (install it, e.g. apt-get install openssl): " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl " + command[1] + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                String text = new String(out, StandardCharsets.UTF_8).strip();
                throw new IOException("openssl " + command[1] + " failed (exit " + p.exitValue() + "): "
                        + (text.length() > 400 ? text.substring(0, 400) + "..." : text));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running openssl");
        }
    }
}
