package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VapidKeysTest {
    @Test
    void base64UrlFormRoundTrips() {
        VapidKeys keys = VapidKeys.generate();

        VapidKeys back = VapidKeys.fromBase64Url(keys.publicKeyBase64Url(), keys.privateKeyBase64Url());

        assertThat(back.publicKeyBase64Url()).isEqualTo(keys.publicKeyBase64Url()).hasSize(87);
        assertThat(back.privateKeyBase64Url()).isEqualTo(keys.privateKeyBase64Url()).hasSize(43);
    }

    @Test
    void pemFormRoundTrips() {
        VapidKeys keys = VapidKeys.generate();

        VapidKeys back = VapidKeys.fromPem(keys.toPem());

        assertThat(back.publicKeyBase64Url()).isEqualTo(keys.publicKeyBase64Url());
        assertThat(back.privateKeyBase64Url()).isEqualTo(keys.privateKeyBase64Url());
    }

    @Test
    void toStringNeverShowsThePrivateKey() {
        VapidKeys keys = VapidKeys.generate();

        assertThat(keys.toString()).contains(keys.publicKeyBase64Url()).doesNotContain(keys.privateKeyBase64Url());
    }

    @Test
    void mismatchedHalvesAreRefused() {
        VapidKeys a = VapidKeys.generate();
        VapidKeys b = VapidKeys.generate();

        assertThatThrownBy(() -> VapidKeys.fromBase64Url(a.publicKeyBase64Url(), b.privateKeyBase64Url()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("VAPID public key does not belong to the private key");
    }

    @Test
    void malformedKeysGetMessagesNamingTheProblem() {
        String pub = VapidKeys.generate().publicKeyBase64Url();
        String priv = VapidKeys.generate().privateKeyBase64Url();

        assertThatThrownBy(() -> VapidKeys.fromBase64Url("not base64!", priv))
                .hasMessage("VAPID public key is not valid base64url");
        assertThatThrownBy(() -> VapidKeys.fromBase64Url(pub.substring(0, 40), priv))
                .hasMessageStartingWith("VAPID public key must be an uncompressed P-256 point (65 bytes starting 0x04)");
        assertThatThrownBy(() -> VapidKeys.fromBase64Url(pub, priv.substring(0, 20)))
                .hasMessage("VAPID private key must be a 32-byte P-256 private key, got 15 bytes");
        byte[] offCurve = Base64Url.decode(pub, "k");
        offCurve[64] ^= 1;
        assertThatThrownBy(() -> VapidKeys.fromBase64Url(Base64Url.encode(offCurve), priv))
                .hasMessage("VAPID public key is not a point on the P-256 curve");
        assertThatThrownBy(() -> VapidKeys.fromBase64Url(pub, Base64Url.encode(new byte[32])))
                .hasMessage("VAPID private key is out of range for P-256");
        assertThatThrownBy(() -> VapidKeys.fromBase64Url(null, priv)).hasMessage("VAPID public key is missing");
    }

    @Test
    void pemWithoutBothBlocksOrInSec1FormIsRefused() {
        String pem = VapidKeys.generate().toPem();
        String privateOnly = pem.substring(0, pem.indexOf("-----BEGIN PUBLIC KEY"));

        assertThatThrownBy(() -> VapidKeys.fromPem(privateOnly))
                .hasMessage("VAPID PEM needs both a 'PRIVATE KEY' and a 'PUBLIC KEY' block");
        assertThatThrownBy(() -> VapidKeys.fromPem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"))
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> VapidKeys.fromPem("garbage")).isInstanceOf(IllegalArgumentException.class);
    }
}
