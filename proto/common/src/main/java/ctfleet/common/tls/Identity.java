package ctfleet.common.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.X509Certificate;

/**
 * A certificate chain (leaf first) and its private key, read from PEM files and checked to belong
 * together. The check is why a rotation written in two steps (the new certificate, then its key) is
 * refused halfway instead of serving a certificate nobody can prove: grpc-util's key manager takes any
 * pair it is given.
 */
public record Identity(X509Certificate[] chain, PrivateKey key) {
    public static Identity read(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        X509Certificate[] chain = Pem.certificates(certFile);
        PrivateKey key = Pem.privateKey(keyFile);
        if (!matches(key, chain[0])) {
            throw new GeneralSecurityException(keyFile + " is not the private key of " + certFile);
        }
        return new Identity(chain, key);
    }

    /** Signs a random probe with the key and verifies it with the certificate's public key. */
    static boolean matches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // EdDSA signs without a separate digest
        };
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        try {
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (SignatureException | java.security.InvalidKeyException e) {
            return false; // a key of another algorithm than the certificate's
        }
    }
}
