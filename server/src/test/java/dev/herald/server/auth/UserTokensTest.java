package dev.herald.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.webpush.Base64Url;
import dev.herald.webpush.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** What a user token must be to be believed; tokens here are signed with the right secret unless said otherwise. */
class UserTokensTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final UserTokens tokens = new UserTokens(SECRET, clock, Duration.ofHours(24));
    private final long now = clock.instant().getEpochSecond();

    private static String b64(String json) {
        return Base64Url.encode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String signed(String header, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
            String input = header + "." + payload;
            return input + "." + Base64Url.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(String header, String claims) {
        return signed(b64(header), b64(claims));
    }

    private static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    @Test
    void aPlainTokenIsAcceptedAndMintedOnesToo() {
        assertThat(tokens.verify(token(HS256, "{\"sub\":\"ada\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}"))).isEqualTo("ada");
        assertThat(tokens.verify(tokens.mint("bob", Duration.ofHours(1)).token())).isEqualTo("bob");
    }

    @Test
    void aCritHeaderIsRefusedBecauseWeUnderstandNoExtension() {
        String crit = token("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"exp\"]}", "{\"sub\":\"ada\",\"exp\":" + (now + 60) + "}");

        assertThatThrownBy(() -> tokens.verify(crit)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crit");
    }

    @Test
    void aTokenIsRefusedBeforeItsNotBeforeTime() {
        String early = token(HS256, "{\"sub\":\"ada\",\"nbf\":" + (now + 600) + ",\"exp\":" + (now + 3600) + "}");

        assertThatThrownBy(() -> tokens.verify(early)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nbf");
        clock.advance(Duration.ofSeconds(600));
        assertThat(tokens.verify(early)).isEqualTo("ada");
        assertThatThrownBy(() -> tokens.verify(token(HS256, "{\"sub\":\"ada\",\"nbf\":\"soon\",\"exp\":" + (now + 3600) + "}")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lifetimesPastTheMaximumAreRefused() {
        String year = token(HS256, "{\"sub\":\"ada\",\"iat\":" + now + ",\"exp\":" + (now + 365 * 86_400) + "}");
        String noIat = token(HS256, "{\"sub\":\"ada\",\"exp\":" + (now + 2 * 86_400) + "}");
        String oldIat = token(HS256, "{\"sub\":\"ada\",\"iat\":" + (now - 30 * 86_400) + ",\"exp\":" + (now + 3600) + "}");

        assertThatThrownBy(() -> tokens.verify(year)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lifetime");
        assertThatThrownBy(() -> tokens.verify(noIat)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lifetime");
        assertThatThrownBy(() -> tokens.verify(oldIat)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lifetime");
        assertThat(tokens.verify(token(HS256, "{\"sub\":\"ada\",\"iat\":" + now + ",\"exp\":" + (now + 86_400) + "}"))).isEqualTo("ada");
        assertThatThrownBy(() -> tokens.mint("ada", Duration.ofDays(2))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void paddedOrNonCanonicalSegmentsAreRefused() {
        String good = token(HS256, "{\"sub\":\"ada\",\"exp\":" + (now + 3600) + "}");
        String[] parts = good.split("\\.");
        // a 32-byte HMAC is 43 base64url characters; with padding it is 44
        assertThatThrownBy(() -> tokens.verify(good + "=")).isInstanceOf(IllegalArgumentException.class);
        String sig = parts[2];
        char last = sig.charAt(sig.length() - 1);
        // the last character carries 2 unused bits: another character with the same 4 used bits decodes the same
        char sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(
                ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(last) ^ 1));
        String nonCanonical = parts[0] + "." + parts[1] + "." + sig.substring(0, sig.length() - 1) + sibling;
        assertThatThrownBy(() -> tokens.verify(nonCanonical)).isInstanceOf(IllegalArgumentException.class);
        // header and payload padded (and signed as sent, so only the padding is wrong)
        String header = b64("{\"alg\": \"HS256\"}"); // 16 bytes: 22 characters, 2 of padding
        String payload = b64("{\"sub\":\"ada\",\"exp\":" + (now + 3600) + "}");
        String padHeader = header + "=".repeat((4 - header.length() % 4) % 4);
        String padPayload = payload + "=".repeat((4 - payload.length() % 4) % 4);
        if (!padHeader.equals(header)) {
            assertThatThrownBy(() -> tokens.verify(signed(padHeader, payload))).isInstanceOf(IllegalArgumentException.class);
        }
        if (!padPayload.equals(payload)) {
            assertThatThrownBy(() -> tokens.verify(signed(header, padPayload))).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(padHeader).as("the header's length needs padding, so the case above ran").isNotEqualTo(header);
        assertThatThrownBy(() -> tokens.verify(signed(header + "==", payload))).isInstanceOf(IllegalArgumentException.class);
    }
}
