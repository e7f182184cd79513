package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PayloadCipherTest {
    private final UserAgentKeys browser = UserAgentKeys.generate();
    private final PushSubscription subscription = browser.subscription("https://push.example.net/p/abc");

    private byte[] decrypt(EncryptedPayload p) throws GeneralSecurityException {
        return p.encoding() == ContentEncoding.AES128GCM
                ? browser.decrypt(p.body())
                : browser.decryptAesgcm(p.body(), p.salt(), p.senderPublicKey());
    }

    @ParameterizedTest
    @EnumSource(ContentEncoding.class)
    void unicodePayloadRoundTrips(ContentEncoding encoding) throws Exception {
        byte[] text = "Grüße 👋 — 新しい投稿".getBytes(StandardCharsets.UTF_8);

        assertThat(decrypt(PayloadCipher.encrypt(text, subscription, encoding, 0))).isEqualTo(text);
    }

    @ParameterizedTest
    @EnumSource(ContentEncoding.class)
    void paddingIsHiddenInsideTheCiphertextAndRemovedOnDecrypt(ContentEncoding encoding) throws Exception {
        byte[] text = "short".getBytes(StandardCharsets.UTF_8);
        EncryptedPayload plain = PayloadCipher.encrypt(text, subscription, encoding, 0);
        EncryptedPayload padded = PayloadCipher.encrypt(text, subscription, encoding, 100);

        assertThat(padded.body().length - plain.body().length).isEqualTo(100);
        assertThat(decrypt(padded)).isEqualTo(text);
    }

    @ParameterizedTest
    @EnumSource(ContentEncoding.class)
    void largestPayloadFillsExactly4096Bytes(ContentEncoding encoding) throws Exception {
        byte[] text = new byte[encoding.maxPlaintext()];
        Arrays.fill(text, (byte) 'x');

        EncryptedPayload out = PayloadCipher.encrypt(text, subscription, encoding, 0);

        assertThat(out.body()).hasSize(4096);
        assertThat(decrypt(out)).isEqualTo(text);
    }

    @Test
    void aes128gcmHolds3993BytesAndRefuses3994WithAClearMessage() {
        assertThat(ContentEncoding.AES128GCM.maxPlaintext()).isEqualTo(3993);

        assertThatThrownBy(() -> PayloadCipher.encrypt(new byte[3994], subscription, ContentEncoding.AES128GCM, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("payload is 3994 bytes; at most 3993 bytes fit a 4096-byte aes128gcm push message");
    }

    @Test
    void everyMessageHasAFreshSaltAndSenderKey() {
        byte[] text = "same".getBytes(StandardCharsets.UTF_8);
        EncryptedPayload a = PayloadCipher.encrypt(text, subscription, ContentEncoding.AES128GCM, 0);
        EncryptedPayload b = PayloadCipher.encrypt(text, subscription, ContentEncoding.AES128GCM, 0);

        assertThat(a.salt()).isNotEqualTo(b.salt());
        assertThat(a.senderPublicKey()).isNotEqualTo(b.senderPublicKey());
        assertThat(a.body()).isNotEqualTo(b.body());
    }

    @Test
    void tamperedBodyFailsToDecrypt() {
        byte[] body = PayloadCipher.encrypt("hello".getBytes(StandardCharsets.UTF_8), subscription,
                ContentEncoding.AES128GCM, 0).body();
        body[body.length - 1] ^= 1;

        assertThatThrownBy(() -> browser.decrypt(body)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void anotherBrowsersKeysCannotDecrypt() {
        byte[] body = PayloadCipher.encrypt("hello".getBytes(StandardCharsets.UTF_8), subscription,
                ContentEncoding.AES128GCM, 0).body();

        assertThatThrownBy(() -> UserAgentKeys.generate().decrypt(body)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void negativePaddingIsRefused() {
        assertThatThrownBy(() -> PayloadCipher.encrypt(new byte[1], subscription, ContentEncoding.AES128GCM, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padding must be >= 0");
    }
}
