package ctfleet.common.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.common.FileReloader;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates and keys as openssl writes them (fixtures in {@code tls/}, self-signed, valid for a
 * century), the key/certificate check, and grpc-util's managers following their files.
 */
class ReloadingTest {
    static final Duration FAST = Duration.ofMillis(20);

    @TempDir
    Path dir;

    final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void readsRsaEcAndEd25519Pairs() throws Exception {
        for (String alg : List.of("rsa", "ec", "ed25519")) {
            Identity id = Identity.read(fixture(alg + ".pem"), fixture(alg + ".key"));
            assertEquals("CN=ctfleet-test-" + alg, id.chain()[0].getSubjectX500Principal().getName());
            assertEquals(id.chain()[0].getPublicKey().getAlgorithm().replace("Ed25519", "EdDSA"),
                    id.key().getAlgorithm().replace("Ed25519", "EdDSA"), alg);
        }
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() throws Exception {
        for (String key : List.of("other.key", "ec.key", "ed25519.key")) {
            GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                    () -> Identity.read(fixture("rsa.pem"), fixture(key)));
            assertTrue(e.getMessage().endsWith(key + " is not the private key of " + fixture("rsa.pem")), e.getMessage());
        }
    }

    @Test
    void refusesAnEncryptedOrOldStyleKeyWithTheConversionToUse() throws Exception {
        Path old = Files.writeString(dir.resolve("old.key"), "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> Identity.read(fixture("rsa.pem"), old));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
    }

    @Test
    void aHalfWrittenRotationKeepsTheOldPairUntilTheKeyArrives() throws Exception {
        Path cert = copy("rsa.pem", "server.pem");
        Path key = copy("rsa.key", "server.key");
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        try (FileReloader watch = Reloading.identity(keys, cert, key, FAST, log::add)) {
            assertEquals("CN=ctfleet-test-rsa", served(keys));
            copy("other.pem", "server.pem"); // the new certificate, its key not yet written
            await(() -> log.stream().anyMatch(l -> l.contains("failed, keeping the previous credentials")));
            assertTrue(log.get(0).contains("server.key is not the private key of"), log.toString());
            assertEquals("CN=ctfleet-test-rsa", served(keys), "the old pair is still served");
            copy("other.key", "server.key");
            await(() -> served(keys).equals("CN=ctfleet-test-other"));
            // The reloader logs after it swapped the credentials: the swap can be seen first.
            await(() -> log.get(log.size() - 1).startsWith("reloaded"));
            assertEquals("CN=ctfleet-test-other", served(keys));
            assertTrue(log.get(log.size() - 1).startsWith("reloaded"), log.toString());
        }
    }

    @Test
    void aChangedCaFileIsTrustedAndAnEmptyOneIsRefused() throws Exception {
        Path ca = copy("rsa.pem", "ca.pem");
        AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder().build();
        try (FileReloader watch = Reloading.trust(trust, ca, FAST, log::add)) {
            assertArrayEquals(new X509Certificate[] {Pem.certificates(fixture("rsa.pem"))[0]}, trust.getAcceptedIssuers());
            Files.writeString(ca, "");
            await(() -> !log.isEmpty());
            assertTrue(log.get(0).contains("no PEM certificate in it"), log.toString());
            assertEquals(1, trust.getAcceptedIssuers().length, "the old CA is still trusted");
            copy("ec.pem", "ca.pem");
            await(() -> trust.getAcceptedIssuers()[0].getSubjectX500Principal().getName().equals("CN=ctfleet-test-ec"));
        }
        Files.writeString(ca, "not a certificate");
        assertThrows(GeneralSecurityException.class,
                () -> Reloading.trust(AdvancedTlsX509TrustManager.newBuilder().build(), ca, FAST, log::add),
                "an unusable file at start is the caller's error");
    }

    /** The subject of the certificate a server handshake would present now. */
    private static String served(AdvancedTlsX509KeyManager keys) {
        String alias = keys.chooseEngineServerAlias("RSA", null, null);
        return keys.getCertificateChain(alias)[0].getSubjectX500Principal().getName();
    }

    private Path copy(String fixture, String name) throws Exception {
        Path to = dir.resolve(name);
        Path tmp = dir.resolve(name + ".new");
        Files.copy(fixture(fixture), tmp, StandardCopyOption.REPLACE_EXISTING);
        // A rename is what a rotation tool does; it also changes the inode, so the change is seen at once.
        return Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(ReloadingTest.class.getResource("/tls/" + name).toURI());
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 250 && !done.getAsBoolean(); i++) {
            Thread.sleep(20);
        }
        assertTrue(done.getAsBoolean(), "not within 5 s");
    }
}
