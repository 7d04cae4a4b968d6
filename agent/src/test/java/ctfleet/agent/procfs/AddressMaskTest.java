package ctfleet.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AddressMaskTest {
    @Test
    void ipv4KeepsItsSlash24AndIpv6ItsSlash48() {
        long v4 = AddressText.parseIpv4("10.20.30.40".getBytes(), 0, 11);
        assertEquals("10.20.30.0/24", AddressMask.text(true, 0, AddressMask.low(true, 0, v4)));
        assertEquals("ipv6 src=2001:db8:ab::/48 dst=? sport=1", AddressMask.line(
                "ipv6 src=2001:0db8:00ab:cdef:0123:4567:89ab:cdef dst=nonsense sport=1"));
        assertEquals("src=::ffff:10.1.2.0/120", AddressMask.line("src=0000:0000:0000:0000:0000:ffff:0a01:0203"),
                "an IPv4-mapped address keeps what its IPv4 address would");
        assertEquals("src=::/48 dst=10.0.0.0/24", AddressMask.line("src=::1 dst=10.0.0.255"));
        assertEquals("no addresses here", AddressMask.line("no addresses here"));
    }
}
