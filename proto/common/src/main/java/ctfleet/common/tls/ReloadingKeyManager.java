package ctfleet.common.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One identity (certificate chain and key) that can be swapped while connections are being made:
 * a rotated certificate is used by the next handshake. {@link #load} refuses a key that does not
 * belong to the certificate, so a half-written rotation (new certificate, old key) keeps the old pair.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "ctfleet";

    private record Identity(PrivateKey key, X509Certificate[] chain) {}

    private volatile Identity identity;

    public void load(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        X509Certificate[] chain = Pem.certificates(certFile);
        PrivateKey key = Pem.privateKey(keyFile);
        if (!matches(key, chain[0])) {
            throw new GeneralSecurityException(keyFile + " is not the private key of " + certFile);
        }
        identity = new Identity(key, chain);
    }

    private static boolean matches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
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
        v.initVerify(cert.getPublicKey());
        v.update(probe);
        try {
            return v.verify(sig);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    private String alias() {
        return identity == null ? null : ALIAS;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return identity == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return alias();
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return alias();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return identity == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity i = identity;
        return ALIAS.equals(alias) && i != null ? i.chain().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity i = identity;
        return ALIAS.equals(alias) && i != null ? i.key() : null;
    }
}
