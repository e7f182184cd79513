package dev.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.common.Cidr;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    private static final ClientAddress PROXIES = new ClientAddress(
            Arrays.stream(new String[] {"10.0.0.0/8", "192.168.1.7", "fd00::/8"}).map(Cidr::parse).toList());

    private static String xff(ClientAddress c, String peer, String... values) {
        return c.resolve(peer, List.of(values), List.of()).address();
    }

    private static String forwarded(String peer, String... values) {
        return PROXIES.resolve(peer, List.of(), List.of(values)).address();
    }

    @Test
    void withoutTrustedProxiesTheHeadersAreIgnored() {
        assertThat(xff(ClientAddress.DIRECT, "10.1.1.1", "203.0.113.5")).isEqualTo("10.1.1.1");
        assertThat(ClientAddress.DIRECT.resolve("10.1.1.1", List.of(), List.of("for=203.0.113.5")).address()).isEqualTo("10.1.1.1");
    }

    @Test
    void aLocalProxyLeftOutOfTrustedProxiesIsWarnedAboutOnce() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ClientAddress.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
                new ch.qos.logback.core.read.ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try {
            ClientAddress none = new ClientAddress(List.of());
            xff(none, "203.0.113.9", "198.51.100.1"); // a public peer sending the header is just a client
            assertThat(captured.list).isEmpty();
            xff(none, "127.0.0.1", "198.51.100.1");
            xff(none, "10.0.0.5", "198.51.100.2");
            assertThat(captured.list).hasSize(1);
            assertThat(captured.list.get(0).getFormattedMessage()).contains("127.0.0.1", "not in trusted-proxies");
        } finally {
            logger.detachAppender(captured);
        }
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItSends() {
        assertThat(xff(PROXIES, "198.51.100.9", "203.0.113.5")).isEqualTo("198.51.100.9");
        assertThat(forwarded("198.51.100.9", "for=203.0.113.5")).isEqualTo("198.51.100.9");
    }

    @Test
    void theRightMostUntrustedHopWinsAndSpoofedLeftEntriesAreIgnored() {
        assertThat(xff(PROXIES, "10.0.0.2", "203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(xff(PROXIES, "10.0.0.2", "6.6.6.6, 1.1.1.1, 203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(xff(PROXIES, "10.0.0.2", "6.6.6.6", "203.0.113.5")).as("several header lines are one list").isEqualTo("203.0.113.5");
        assertThat(forwarded("10.0.0.2", "for=6.6.6.6, for=203.0.113.5;proto=https")).isEqualTo("203.0.113.5");
    }

    @Test
    void aChainOfTrustedProxiesIsWalkedThrough() {
        assertThat(xff(PROXIES, "10.0.0.2", "6.6.6.6, 203.0.113.5, 192.168.1.7, 10.9.9.9")).isEqualTo("203.0.113.5");
        assertThat(forwarded("10.0.0.2", "for=203.0.113.5, for=192.168.1.7;by=10.0.0.2, for=\"[fd00::3]:80\""))
                .isEqualTo("203.0.113.5");
        assertThat(xff(PROXIES, "10.0.0.2", "10.3.3.3, 192.168.1.7")).as("all trusted: the farthest one").isEqualTo("10.3.3.3");
        assertThat(xff(PROXIES, "10.0.0.2", "192.168.1.70")).as("a single trusted address is /32").isEqualTo("192.168.1.70");
    }

    @Test
    void ipv6BracketsPortsAndForms() {
        assertThat(forwarded("10.0.0.2", "for=\"[2001:db8:cafe::17]:4711\"")).isEqualTo("2001:db8:cafe:0:0:0:0:17");
        assertThat(forwarded("10.0.0.2", "For=\"[2001:DB8::1]\"")).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(xff(PROXIES, "10.0.0.2", "2001:db8::1")).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(xff(PROXIES, "10.0.0.2", "[2001:db8::1]:443")).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(xff(PROXIES, "10.0.0.2", "203.0.113.5:5555")).isEqualTo("203.0.113.5");
        assertThat(xff(PROXIES, "[fd00::1]", "::ffff:203.0.113.5")).as("IPv6 peer, IPv4-mapped client").isEqualTo("203.0.113.5");
        assertThat(xff(PROXIES, "fd00::1", "203.0.113.6")).isEqualTo("203.0.113.6");
    }

    @Test
    void obfuscatedIdentifiersAreKeysAndUnknownStopsAtTheReportingProxy() {
        assertThat(forwarded("10.0.0.2", "for=_gazonk")).isEqualTo("_gazonk");
        assertThat(forwarded("10.0.0.2", "for=\"_hidden:_port\"")).isEqualTo("_hidden");
        assertThat(forwarded("10.0.0.2", "for=unknown")).isEqualTo("10.0.0.2");
        assertThat(forwarded("10.0.0.2", "for=203.0.113.5, for=unknown, for=192.168.1.7")).isEqualTo("192.168.1.7");
    }

    @Test
    void malformedHeadersNeverThrowAndFallBackToTheProxy() {
        for (String bad : new String[] {"", ",,,", "not an ip", "999.1.1.1", "1.2.3", "[::1", "::::::::::::::::", "\"", "for=",
                "for=\"unterminated", "a=b=c;;;", "example.com", "1.2.3.4%eth0", "[]:80", "0x7f.1"}) {
            assertThat(xff(PROXIES, "10.0.0.2", bad)).as(bad).isEqualTo("10.0.0.2");
            assertThat(forwarded("10.0.0.2", bad)).as(bad).isEqualTo("10.0.0.2");
        }
        assertThat(xff(PROXIES, "10.0.0.2", "x".repeat(5000) + ",203.0.113.5")).isEqualTo("203.0.113.5");
    }

    @Test
    void xForwardedForWinsOverAForwardedHeaderAProxyPassedThrough() {
        assertThat(PROXIES.resolve("10.0.0.2", List.of("203.0.113.5"), List.of("for=6.6.6.6")).address()).isEqualTo("203.0.113.5");
    }

    @Test
    void theSchemeComesFromTheTrustedHop() {
        assertThat(PROXIES.resolve("10.0.0.2", List.of(), List.of("for=203.0.113.5;proto=https")).proto()).isEqualTo("https");
        assertThat(PROXIES.resolve("198.51.100.9", List.of(), List.of("for=203.0.113.5;proto=https")).proto()).isNull();
    }

    @Test
    void cidrsParseStrictly() {
        assertThat(Cidr.parse("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
        assertThat(Cidr.parse("2001:db8::/32").contains(Cidr.address("2001:db8:ffff::1"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(Cidr.address("2001:db9::1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.address("8.8.8.8"))).isTrue();
        for (String bad : new String[] {"10.0.0.0/33", "example.com", "10.0.0/8", "::/129", "10.0.0.0/-1", "", "10.0.0.0/"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
