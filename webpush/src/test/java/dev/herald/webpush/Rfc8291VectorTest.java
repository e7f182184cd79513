package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** RFC 8291 Appendix A: fixed keys and salt must give the RFC's body byte for byte. */
class Rfc8291VectorTest {
    static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    static final String AS_PUBLIC = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    static final String UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
    static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
            + "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
            + "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    static KeyPair pair(String pub, String priv) {
        return new KeyPair(EcKeys.publicKey(Base64Url.decode(pub, "pub"), "pub"),
                EcKeys.privateKey(Base64Url.decode(priv, "priv"), "priv"));
    }

    @Test
    void encryptionWithTheRfcKeysAndSaltGivesTheRfcBody() {
        EncryptedPayload out = PayloadCipher.encrypt(PLAINTEXT.getBytes(StandardCharsets.UTF_8),
                EcKeys.publicKey(Base64Url.decode(UA_PUBLIC, "ua"), "ua"), Base64Url.decode(AUTH, "auth"),
                ContentEncoding.AES128GCM, 0, pair(AS_PUBLIC, AS_PRIVATE), Base64Url.decode(SALT, "salt"));

        assertThat(Base64Url.encode(out.body())).isEqualTo(BODY);
        assertThat(out.body()).hasSize(144);
    }

    @Test
    void theRfcBodyDecryptsWithTheUserAgentKeys() throws Exception {
        byte[] plain = PayloadCipher.decryptAes128gcm(Base64Url.decode(BODY, "body"), pair(UA_PUBLIC, UA_PRIVATE),
                Base64Url.decode(AUTH, "auth"));

        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(PLAINTEXT);
    }
}
