package ctfleet.server.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The host ids a client certificate speaks for: its subject CN and its DNS subject alternative names. */
final class CertIdentity {
    private static final int SAN_DNS = 2;

    private CertIdentity() {}

    static Set<String> hostIds(X509Certificate cert) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    ids.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // an unparsable subject names no host; the SANs may still
        }
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0))) {
                        ids.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // as above: no SAN, no id from it
        }
        return ids;
    }
}
