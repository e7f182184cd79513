package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;

/** RFC 8188 section 3: the content coding on its own, with the input keying material given. */
class Rfc8188ExamplesTest {
    static final String EXAMPLE_1 = "I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg";
    static final String EXAMPLE_2 = "uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF"
            + "1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA";

    @Test
    void singleRecordExampleEncryptsByteForByte() {
        byte[] body = Ece.encrypt(Base64Url.decode("yqdlZ-tYemfogSmv7Ws5PQ", "ikm"),
                Base64Url.decode("I1BsxtFttlv3u_Oo94xnmw", "salt"), new byte[0], 4096,
                "I am the walrus".getBytes(StandardCharsets.UTF_8), 0);

        assertThat(Base64Url.encode(body)).isEqualTo(EXAMPLE_1);
    }

    @Test
    void singleRecordExampleDecrypts() throws Exception {
        byte[] plain = Ece.decrypt(Base64Url.decode(EXAMPLE_1, "body"), keyId -> Base64Url.decode("yqdlZ-tYemfogSmv7Ws5PQ", "ikm"));

        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo("I am the walrus");
    }

    @Test
    void multipleRecordExampleDecryptsWithItsKeyId() throws Exception {
        byte[][] seenKeyId = new byte[1][];
        byte[] plain = Ece.decrypt(Base64Url.decode(EXAMPLE_2, "body"), keyId -> {
            seenKeyId[0] = keyId;
            return Base64Url.decode("BO3ZVPxUlnLORbVGMpbT1Q", "ikm");
        });

        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo("I am the walrus");
        assertThat(new String(seenKeyId[0], StandardCharsets.UTF_8)).isEqualTo("a1");
    }

    @Test
    void truncatedMultipleRecordBodyIsRefused() {
        byte[] body = Base64Url.decode(EXAMPLE_2, "body");
        byte[] firstRecordOnly = java.util.Arrays.copyOf(body, 16 + 4 + 1 + 2 + 25);

        assertThatThrownBy(() -> Ece.decrypt(firstRecordOnly, keyId -> Base64Url.decode("BO3ZVPxUlnLORbVGMpbT1Q", "ikm")))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("padding delimiter");
    }
}
