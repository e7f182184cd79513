package dev.herald.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.UserAgentKeys;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** max-subscriptions-per-ip counts each client behind a trusted proxy, not the proxy. */
class TrustedProxyTest {
    private static final String FCM = "https://fcm.googleapis.com/fcm/send/";
    private static final UserAgentKeys KEYS = UserAgentKeys.generate();

    private static Api.Response subscribe(TestServer server, String endpoint, Map<String, String> headers) {
        return server.api.post("/api/v1/subscriptions", null, Map.of("subscription", Map.of("endpoint", FCM + endpoint,
                "keys", Map.of("p256dh", KEYS.p256dh(), "auth", KEYS.authBase64Url()))), headers);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eachForwardedClientHasItsOwnCapBehindATrustedProxy(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.ANONYMOUS_SUBSCRIPTIONS, "true")
                .with(Option.MAX_SUBSCRIPTIONS_PER_IP, "3").with(Option.TRUSTED_PROXIES, "127.0.0.0/8, ::1"))) {
            for (int i = 0; i < 600; i++) {
                String client = "198.51." + (i / 250) + "." + (i % 250 + 1);
                Api.Response r = subscribe(server, "c" + i, Map.of("X-Forwarded-For", "6.6.6.6, " + client));
                assertThat(r.status()).as("client %s", client).isEqualTo(201);
            }
            Map<String, String> one = Map.of("Forwarded", "for=203.0.113.9;proto=https");
            for (int i = 0; i < 3; i++) {
                assertThat(subscribe(server, "own" + i, one).status()).isEqualTo(201);
            }
            Api.Response past = subscribe(server, "own3", one);
            assertThat(past.status()).isEqualTo(429);
            assertThat(past.json().get("code").asText()).isEqualTo("subscription-limit");
            assertThat(subscribe(server, "own4", Map.of("X-Forwarded-For", "203.0.113.9, 203.0.113.10")).status())
                    .as("a spoofed left-most entry does not reach another client's cap").isEqualTo(201);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void withoutTheSettingForwardedHeadersAreIgnored(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.ANONYMOUS_SUBSCRIPTIONS, "true")
                .with(Option.MAX_SUBSCRIPTIONS_PER_IP, "3"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(subscribe(server, "d" + i, Map.of("X-Forwarded-For", "198.51.100." + i)).status()).isEqualTo(201);
            }
            Api.Response fourth = subscribe(server, "d3", Map.of("X-Forwarded-For", "198.51.100.3", "Forwarded", "for=198.51.100.4"));
            assertThat(fourth.status()).isEqualTo(429);
        }
    }
}
