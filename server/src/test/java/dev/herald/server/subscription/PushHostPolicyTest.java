package dev.herald.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.http.ApiException;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PushHostPolicyTest {
    private static final byte[] PUBLIC = {(byte) 142, (byte) 250, 1, 1};
    private final PushHostPolicy policy = new PushHostPolicy(List.of("push.example.net"),
            () -> URI.create("https://herald.example.com"), false,
            host -> new InetAddress[] {InetAddress.getByAddress(host, host.startsWith("rebind") ? new byte[] {10, 0, 0, 1} : PUBLIC)});

    @ParameterizedTest
    @ValueSource(strings = {"https://fcm.googleapis.com/fcm/send/x", "https://updates.push.services.mozilla.com/wpush/v2/x",
            "https://web.push.apple.com/QJ", "https://wns2-par02p.notify.windows.com/w/?token=x", "https://push.example.net/x",
            "https://herald.example.com/wpush/v1/abc"})
    void knownConfiguredAndOwnPushServicesPass(String endpoint) {
        assertThat(policy.check(endpoint)).isEqualTo(URI.create(endpoint));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://fcm.googleapis.com.evil.org/x", "https://evilfcm.googleapis.com/x", "https://herald.example.com/api/v1/x",
            "http://herald.example.com:80/wpush/v1/x", "https://herald.example.com/wpush/../internal/admin",
            "https://herald.example.com/wpush/v1/../../api/v1/x", "https://herald.example.com/wpush/%2e%2e/api/v1/x",
            "https://herald.example.com/wpush/v1/%2E%2E", "https://herald.example.com/wpush/v1/abc?x=1",
            "https://herald.example.com/wpush/v1/abc#f", "https://herald.example.com/wpush/v3/abc",
            "https://herald.example.com/wpush/m/abc", "https://herald.example.com/wpush/v1/abc/extra",
            "https://herald.example.com/wpush/v1/", "https://herald.example.com/wpush/connect",
            "https://herald.example.com/wpush/./v1/abc", "https://herald.example.com//wpush/v1/abc"})
    void lookAlikesAndOtherPathsAreRefused(String endpoint) {
        assertThatThrownBy(() -> policy.check(endpoint)).isInstanceOf(ApiException.class);
    }

    @Test
    void aKnownHostThatResolvesPrivatelyIsRefused() {
        PushHostPolicy rebinding = new PushHostPolicy(List.of("rebind.example.net"), () -> null, false,
                host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254})});

        assertThatThrownBy(() -> rebinding.check("https://rebind.example.net/x")).hasMessageContaining("private or local address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "::1", "fc00::1", "fe80::1", "::ffff:127.0.0.1", "224.0.0.1", "255.255.255.255"})
    void privateLocalAndSpecialAddressesAreForbidden(String address) throws Exception {
        assertThat(PushHostPolicy.isForbidden(InetAddress.getByName(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"142.250.1.1", "2a00:1450:4001::1", "17.253.144.10"})
    void publicAddressesAreAllowed(String address) throws Exception {
        assertThat(PushHostPolicy.isForbidden(InetAddress.getByName(address))).isFalse();
    }
}
