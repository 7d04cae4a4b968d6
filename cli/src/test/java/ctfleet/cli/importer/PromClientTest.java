package ctfleet.cli.importer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class PromClientTest {
    @Test
    void aRedirectMayKeepItsSchemeOrGoUpToHttpsButNeverDown() {
        URI http = URI.create("http://prom/api/v1/series");
        URI https = URI.create("https://prom/api/v1/series");
        assertTrue(PromClient.followable(http, URI.create("http://other:9090/x")));
        assertTrue(PromClient.followable(http, https));
        assertTrue(PromClient.followable(https, URI.create("https://prom/prometheus/api/v1/series")));
        assertFalse(PromClient.followable(https, http), "a query asked for over TLS is not sent in the clear");
        assertFalse(PromClient.followable(http, URI.create("ftp://prom/x")));
        assertFalse(PromClient.followable(http, URI.create("file:///etc/passwd")));
    }
}
