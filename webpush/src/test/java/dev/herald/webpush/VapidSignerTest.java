package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VapidSignerTest {
    private final VapidKeys keys = VapidKeys.generate();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final VapidSigner signer = new VapidSigner(keys, "mailto:ops@herald.example", Duration.ofHours(12), clock);

    @Test
    void tokenVerifiesWithThePublicKeyAndCarriesTheClaims() {
        String token = signer.token("https://fcm.googleapis.com");

        VapidJwt.Claims claims = VapidJwt.verify(token, keys.publicKey(), clock);

        assertThat(claims.audience()).isEqualTo("https://fcm.googleapis.com");
        assertThat(claims.expires()).isEqualTo(Instant.parse("2026-11-23T22:00:00Z"));
        assertThat(claims.subject()).isEqualTo("mailto:ops@herald.example");
    }

    @Test
    void authorizationHeaderHasTokenAndKey() {
        VapidJwt.Credentials c = VapidJwt.parseAuthorization(signer.authorization("https://push.example"), null);

        assertThat(c.publicKey()).isEqualTo(keys.publicKeyBase64Url());
        assertThat(VapidJwt.verify(c.token(), VapidJwt.publicKey(c.publicKey()), clock).audience())
                .isEqualTo("https://push.example");
    }

    @Test
    void tokenIsCachedPerOriginAndRenewedAnHourBeforeExpiry() {
        String first = signer.token("https://a.example");
        String other = signer.token("https://b.example");
        clock.advance(Duration.ofHours(10));
        String cached = signer.token("https://a.example");
        clock.advance(Duration.ofMinutes(61));
        String renewed = signer.token("https://a.example");

        assertThat(other).isNotEqualTo(first);
        assertThat(cached).isSameAs(first);
        assertThat(renewed).isNotEqualTo(first);
        assertThat(VapidJwt.verify(renewed, keys.publicKey(), clock).expires())
                .isEqualTo(Instant.parse("2026-11-24T09:01:00Z"));
    }

    @Test
    void expiredOrTooLongOrForgedTokensFailVerification() {
        String token = signer.token("https://a.example");
        VapidKeys stranger = VapidKeys.generate();

        assertThatThrownBy(() -> VapidJwt.verify(token, stranger.publicKey(), clock))
                .hasMessageContaining("signature does not verify");
        clock.advance(Duration.ofHours(13));
        assertThatThrownBy(() -> VapidJwt.verify(token, keys.publicKey(), clock)).hasMessageContaining("expired");
        assertThatThrownBy(() -> VapidJwt.verify(token, keys.publicKey(),
                new MutableClock(Instant.parse("2026-11-22T00:00:00Z")))).hasMessageContaining("more than 24 hours");
        assertThatThrownBy(() -> VapidJwt.verify("a.b", keys.publicKey(), clock)).hasMessageContaining("not a JWT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mailto:ops@herald.example", "https://herald.example/contact", "MAILTO:a@b.example.org"})
    void realSubjectsAreAccepted(String subject) {
        assertThatCode(() -> VapidSigner.checkSubject(subject)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mailto:admin@localhost", "https://localhost", "https://localhost:8080/x",
            "https://app.localhost", "https://127.0.0.1", "https://[::1]", "mailto:me@myhost", "https://printer.local",
            "https://192.168.1.10"})
    void localSubjectsThatApplePushRejectsAreRefused(String subject) {
        assertThatThrownBy(() -> VapidSigner.checkSubject(subject))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local host");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ops@herald.example", "http://herald.example", "mailto:", "mailto:nobody", "https://"})
    void malformedSubjectsAreRefused(String subject) {
        assertThatThrownBy(() -> VapidSigner.checkSubject(subject)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lifetimeOver24HoursIsRefused() {
        assertThatThrownBy(() -> new VapidSigner(keys, "mailto:a@b.example", Duration.ofHours(25), clock))
                .hasMessageContaining("between 5 minutes and 24 hours");
    }
}
