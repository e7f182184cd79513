package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a caller can get wrong about a message or a subscription is refused with a message, up front. */
class MessageValidationTest {
    private final UserAgentKeys browser = UserAgentKeys.generate();

    @Test
    void messageDefaultsAreSensible() {
        PushMessage m = PushMessage.builder().payload("hi").build();

        assertThat(m.ttl()).isEqualTo(Duration.ofDays(28));
        assertThat(m.urgency()).isEqualTo(Urgency.NORMAL);
        assertThat(m.encoding()).isEqualTo(ContentEncoding.AES128GCM);
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> PushMessage.builder().ttlSeconds(-1).build())
                .hasMessage("TTL is required and must be >= 0 seconds");
        assertThatThrownBy(() -> PushMessage.builder().ttl(null).build())
                .hasMessage("TTL is required and must be >= 0 seconds");
        assertThatThrownBy(() -> Urgency.fromToken("urgent"))
                .hasMessage("urgency must be one of very-low, low, normal, high; got 'urgent'");
        assertThatThrownBy(() -> PushMessage.builder().topic("a".repeat(33)).build())
                .hasMessageStartingWith("topic must be 1 to 32 characters of the base64url alphabet");
        assertThatThrownBy(() -> PushMessage.builder().topic("has space").build())
                .hasMessageStartingWith("topic must be");
        assertThatThrownBy(() -> PushMessage.builder().payload(new byte[4000]).build())
                .hasMessage("payload is 4000 bytes; at most 3993 bytes fit a 4096-byte aes128gcm push message");
        assertThatThrownBy(() -> PushMessage.builder().payload(new byte[3990]).padding(10).build())
                .hasMessage("payload is 3990 bytes; at most 3983 bytes fit a 4096-byte aes128gcm push message "
                        + "with 10 bytes of padding");
        assertThatThrownBy(() -> ContentEncoding.fromToken("gzip")).hasMessageContaining("unknown content encoding");
    }

    @Test
    void topicAtTheLimitIsAccepted() {
        assertThat(PushMessage.builder().topic("A-_z09".repeat(5) + "ab").build().topic()).hasSize(32);
    }

    @Test
    void subscriptionWithBadKeysOrEndpointIsRefused() {
        String endpoint = "https://push.example/x";
        String p256dh = browser.p256dh();
        String auth = browser.authBase64Url();

        assertThatThrownBy(() -> PushSubscription.of(endpoint, p256dh, Base64Url.encode(new byte[15])))
                .hasMessage("auth must be a 16-byte secret, got 15 bytes");
        assertThatThrownBy(() -> PushSubscription.of(endpoint, Base64Url.encode(new byte[64]), auth))
                .hasMessageStartingWith("p256dh must be an uncompressed P-256 point");
        assertThatThrownBy(() -> PushSubscription.of(endpoint, "%%%", auth)).hasMessage("p256dh is not valid base64url");
        assertThatThrownBy(() -> PushSubscription.of("ftp://push.example/x", p256dh, auth))
                .hasMessageStartingWith("endpoint must be an absolute http(s) URL");
        assertThatThrownBy(() -> PushSubscription.of("not a url", p256dh, auth))
                .hasMessageStartingWith("endpoint is not a valid URL");
        assertThatThrownBy(() -> PushSubscription.of(endpoint, null, auth)).hasMessage("p256dh is missing");
    }

    @Test
    void originIsTheVapidAudience() {
        assertThat(browser.subscription("https://FCM.googleapis.com:443/fcm/send/abc").origin())
                .isEqualTo("https://fcm.googleapis.com");
        assertThat(browser.subscription("http://127.0.0.1:8080/wpush/v1/abc").origin())
                .isEqualTo("http://127.0.0.1:8080");
    }
}
