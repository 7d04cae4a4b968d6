package ctfleet.client;

import io.grpc.Status;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * One line for a failed call, with what a TLS failure means. gRPC reports a failed handshake as
 * "UNAVAILABLE: io exception" and hides the reason in the cause; an operator needs the reason and
 * which flag to look at.
 */
public final class StatusText {
    private StatusText() {}

    public static String describe(Status s) {
        String host = unresolvedHost(s);
        if (host != null) {
            return s.getCode() + ": cannot resolve host " + host;
        }
        String d = s.getDescription() == null ? "" : s.getDescription().lines().findFirst().orElse("");
        String text = s.getCode() + (d.isEmpty() ? "" : ": " + d);
        String tls = tlsReason(s.getCause());
        if (tls != null) {
            return text + "; TLS failed: " + tls;
        }
        // What a plaintext client hears from a TLS server, and from a server that is not gRPC at all
        // (grpc-java's OkHttp transport reads "HTTP/1.1 400" as an oversized HTTP/2 frame).
        if (s.getCode() == Status.Code.UNAVAILABLE && d.equals("End of stream or IOException") && s.getCause() == null) {
            return text + " (the server closed the connection at once: probably a TLS server; give --tls-ca FILE,"
                    + " or --tls)";
        }
        if (s.getCode() == Status.Code.INTERNAL && d.equals("error in frame handler")) {
            return text + " (not a ctfleet (gRPC) server: it does not speak HTTP/2; check --server)";
        }
        return text;
    }

    /** The server's host name when the call failed because it does not resolve (DNS), else null. */
    public static String unresolvedHost(Status s) {
        String d = s.getDescription();
        // grpc-java's DNS resolver: "Unable to resolve host NAME", caused by an UnknownHostException.
        if (d != null && d.startsWith("Unable to resolve host ")) {
            return d.substring("Unable to resolve host ".length()).strip();
        }
        for (Throwable c = s.getCause(); c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof UnknownHostException && c.getMessage() != null) {
                return c.getMessage().split(":")[0].strip();
            }
        }
        return null;
    }

    /** The TLS reason and a hint, or null when the failure was not about TLS. */
    static String tlsReason(Throwable t) {
        String reason = null;
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if ((c instanceof SSLException || c instanceof GeneralSecurityException) && c.getMessage() != null) {
                reason = c.getMessage(); // the deepest one is the most specific
            }
        }
        if (reason == null) {
            return null;
        }
        String r = reason.toLowerCase(Locale.ROOT);
        String hint;
        if (r.contains("pkix") || r.contains("certification path") || r.contains("signature check")) {
            hint = "the server's certificate is not signed by the CA in --tls-ca";
        } else if (r.contains("subject alternative") || r.contains("no name matching")) {
            hint = "the server's certificate does not name the --server host; reissue it or give --tls-server-name";
        } else if (r.contains("expired") || r.contains("not yet valid")) {
            hint = "a certificate is outside its validity dates";
        } else if (r.contains("unrecognized ssl message") || r.contains("plaintext connection")) {
            hint = "the server does not speak TLS: a plaintext server (drop the --tls flags), or not a ctfleet server";
        } else if (r.contains("alert") || r.contains("certificate_required") || r.contains("bad_certificate")
                || r.contains("certificate_unknown")) {
            hint = "the server refused this client's certificate (missing, expired, or not signed by the server's"
                    + " --tls-client-ca; the server's log says which)";
        } else {
            hint = null;
        }
        return reason + (hint == null ? "" : " (" + hint + ")");
    }
}
