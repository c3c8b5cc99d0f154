package dev.pictor.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Address ranges in IPv4 and IPv6 form, and which X-Forwarded-For entry is the client. */
class ClientAddressesTest {
    private static InetAddress ip(String s) {
        return AddressRange.literal(s);
    }

    @Test
    void rangesMatchTheirOwnFamilyAndMappedIpv4() {
        assertThat(AddressRange.parse("10.0.0.0/8").contains(ip("10.200.3.4"))).isTrue();
        assertThat(AddressRange.parse("10.0.0.0/8").contains(ip("11.0.0.1"))).isFalse();
        assertThat(AddressRange.parse("10.1.2.3").contains(ip("10.1.2.3"))).isTrue();
        assertThat(AddressRange.parse("10.1.2.3").contains(ip("10.1.2.4"))).isFalse();
        assertThat(AddressRange.parse("10.0.0.0/8").contains(ip("::ffff:10.9.9.9"))).as("IPv4-mapped").isTrue();
        assertThat(AddressRange.parse("2001:db8::/32").contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(AddressRange.parse("2001:db8::/32").contains(ip("2001:db9::1"))).isFalse();
        assertThat(AddressRange.parse("2001:db8::/32").contains(ip("10.0.0.1"))).isFalse();
        assertThat(AddressRange.parse("::1").contains(ip("[::1]"))).isTrue();
        assertThat(AddressRange.parse("0.0.0.0/0").contains(ip("198.51.100.1"))).isTrue();
        assertThat(AddressRange.parse("10.1.2.3/8").contains(ip("10.7.7.7"))).as("host bits ignored").isTrue();
    }

    @Test
    void onlyLiteralsParseSoNothingTouchesDns() {
        for (String bad : new String[] {"example.com", "localhost", "10.0.0.0/33", "::/129", "10.0.0", "256.1.1.1", "1.2.3.4/-1", "1.2.3.4/",
                "fe80::1%eth0", "", " / "}) {
            assertThatThrownBy(() -> AddressRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(AddressRange.literal("example.com")).isNull();
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxiesWalkingFromTheRight() {
        var none = new ClientAddresses(List.of());
        assertThat(none.resolve("127.0.0.1", List.of("203.0.113.9"))).isEqualTo(ip("127.0.0.1"));

        var proxies = new ClientAddresses(List.of("10.0.0.0/8", "fd00::/8"));
        assertThat(proxies.resolve("198.51.100.7", List.of("203.0.113.9"))).as("an untrusted peer's header is ignored").isEqualTo(ip("198.51.100.7"));
        assertThat(proxies.resolve("10.0.0.2", List.of())).isEqualTo(ip("10.0.0.2"));
        assertThat(proxies.resolve("10.0.0.2", List.of("203.0.113.9"))).isEqualTo(ip("203.0.113.9"));
        assertThat(proxies.resolve("10.0.0.2", List.of("1.1.1.1, 203.0.113.9, 10.4.4.4"))).as("spoofed left entry skipped")
                .isEqualTo(ip("203.0.113.9"));
        assertThat(proxies.resolve("10.0.0.2", List.of("1.1.1.1", "203.0.113.9:4711, fd00::5"))).isEqualTo(ip("203.0.113.9"));
        assertThat(proxies.resolve("fd00::1", List.of("[2001:db8::9]:443"))).isEqualTo(ip("2001:db8::9"));
        assertThat(proxies.resolve("10.0.0.2", List.of("10.1.1.1, 10.2.2.2"))).as("all trusted: the leftmost").isEqualTo(ip("10.1.1.1"));
        assertThat(proxies.resolve("10.0.0.2", List.of("203.0.113.9, garbage"))).as("a garbled hop: unknown").isNull();
        assertThatThrownBy(() -> new ClientAddresses(List.of("proxy.internal"))).hasMessageContaining("PICTOR_TRUSTED_PROXIES");
    }
}
