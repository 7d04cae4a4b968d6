package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTextTest {

    private static String ipv6(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return AddressText.ipv6(b, 0, b.length);
    }

    private static String ipv4(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return AddressText.ipv4(b, 0, b.length);
    }

    // Expected forms are RFC 5952's own examples and rules (sections 4.1-4.3, 5).
    @ParameterizedTest
    @CsvSource({
        "0000:0000:0000:0000:0000:0000:0000:0001, ::1",
        "0000:0000:0000:0000:0000:0000:0000:0000, ::",
        "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
        "2001:0db8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
        "2001:0db8:0000:0001:0001:0001:0001:0001, 2001:db8:0:1:1:1:1:1",
        "2001:0db8:0000:0000:0001:0000:0000:0000, 2001:db8:0:0:1::",
        "FE80:0000:0000:0000:0202:B3FF:FE1E:8329, fe80::202:b3ff:fe1e:8329",
        "0000:0000:0000:0000:0000:ffff:c000:0280, ::ffff:192.0.2.128",
        "0001:0000:0000:0000:0000:0000:0000:0000, 1::",
        "2001:db8::1, 2001:db8::1",
        "::, ::",
    })
    void ipv6BecomesRfc5952Text(String kernel, String canonical) {
        assertEquals(canonical, ipv6(kernel));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0000:0000:0000:0000:0000:0000:0001",
        "0000:0000:0000:0000:0000:0000:0000:0000:0001",
        "1:::2", "1::2::3", ":1", "1:", "12345::1", "g::1", "::ffff:1.2.3.4", "1:2:3:4::5:6:7:8",
    })
    void notAnIpv6Address(String text) {
        assertNull(ipv6(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.", "a.b.c.d", "1.2.3.4 "})
    void notAnIpv4Address(String text) {
        assertNull(ipv4(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "255.255.255.255", "10.20.30.40"})
    void dottedQuadIsKeptAsPrinted(String text) {
        assertEquals(text, ipv4(text));
    }
}
