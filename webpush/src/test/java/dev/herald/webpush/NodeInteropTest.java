package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Herald against code it did not write: npm {@code web-push} 3.6.7 and {@code http_ece} 1.2.0 decrypt what
 * Herald encrypts, Herald decrypts what they encrypt, and each side verifies the other's VAPID tokens.
 */
class NodeInteropTest {
    private static final String ENDPOINT = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAAB";
    private static final String TEXT = "{\"title\":\"Grüße 👋\",\"body\":\"新しい投稿 — café\"}";

    private final VapidKeys vapid = VapidKeys.generate();
    private final WebPushSender sender = WebPushSender.builder().vapid(vapid, "mailto:ops@herald.example").build();

    private static Map<String, Object> op(String name, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", name);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String uaPrivate(UserAgentKeys ua) {
        return Base64Url.encode(EcKeys.raw((ECPrivateKey) ua.keyPair().getPrivate()));
    }

    @Test
    void httpEceDecryptsWhatHeraldEncryptsInBothEncodingsAndAtTheSizeLimit() throws Exception {
        List<Map<String, Object>> ops = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        UserAgentKeys ua = UserAgentKeys.generate();
        for (ContentEncoding encoding : ContentEncoding.values()) {
            for (byte[] text : List.of(TEXT.getBytes(StandardCharsets.UTF_8), "z".repeat(encoding.maxPlaintext()).getBytes(StandardCharsets.UTF_8))) {
                PreparedRequest request = sender.prepare(ua.subscription(ENDPOINT),
                        PushMessage.builder().payload(text).encoding(encoding).build());
                Map<String, Object> op = op("decrypt", "encoding", encoding.token(), "body", Base64Url.encode(request.body()),
                        "uaPrivate", uaPrivate(ua), "uaPublic", ua.p256dh(), "auth", ua.authBase64Url());
                if (encoding == ContentEncoding.AESGCM) {
                    op.put("salt", request.headers().get("Encryption").substring("salt=".length()));
                    op.put("dh", request.headers().get("Crypto-Key").split(";")[0].substring("dh=".length()));
                }
                ops.add(op);
                expected.add(text);
            }
        }

        List<JsonNode> results = NodeInterop.run(ops);

        for (int i = 0; i < results.size(); i++) {
            assertThat(Base64Url.decode(results.get(i).get("plaintext").asText(), "plaintext")).isEqualTo(expected.get(i));
        }
    }

    @Test
    void heraldDecryptsWhatNpmWebPushEncryptsAndVerifiesItsVapidToken() throws Exception {
        UserAgentKeys ua = UserAgentKeys.generate();
        VapidKeys theirs = VapidKeys.generate();
        List<Map<String, Object>> ops = new ArrayList<>();
        for (ContentEncoding encoding : ContentEncoding.values()) {
            ops.add(op("webpushEncrypt", "encoding", encoding.token(), "endpoint", ENDPOINT, "p256dh", ua.p256dh(),
                    "auth", ua.authBase64Url(), "payload", Base64Url.encode(TEXT.getBytes(StandardCharsets.UTF_8)),
                    "vapidSubject", "mailto:them@example.org", "vapidPublic", theirs.publicKeyBase64Url(),
                    "vapidPrivate", theirs.privateKeyBase64Url(), "ttl", 120, "urgency", "high", "topic", "t1"));
        }

        List<JsonNode> results = NodeInterop.run(ops);

        JsonNode modern = results.get(0);
        assertThat(modern.at("/headers/Content-Encoding").asText()).isEqualTo("aes128gcm");
        assertThat(new String(ua.decrypt(Base64Url.decode(modern.get("body").asText(), "body")), StandardCharsets.UTF_8))
                .isEqualTo(TEXT);
        VapidJwt.Credentials c = VapidJwt.parseAuthorization(modern.at("/headers/Authorization").asText(), null);
        assertThat(c.publicKey()).isEqualTo(theirs.publicKeyBase64Url());
        assertThat(VapidJwt.verify(c.token(), VapidJwt.publicKey(c.publicKey()), Clock.systemUTC()).audience())
                .isEqualTo("https://updates.push.services.mozilla.com");

        JsonNode legacy = results.get(1);
        String salt = legacy.at("/headers/Encryption").asText().replace("salt=", "");
        String dh = legacy.at("/headers/Crypto-Key").asText().split(";")[0].replace("dh=", "");
        byte[] plain = ua.decryptAesgcm(Base64Url.decode(legacy.get("body").asText(), "body"),
                Base64Url.decode(salt, "salt"), Base64Url.decode(dh, "dh"));
        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(TEXT);
        VapidJwt.Credentials legacyCredentials = VapidJwt.parseAuthorization(legacy.at("/headers/Authorization").asText(),
                legacy.at("/headers/Crypto-Key").asText());
        assertThat(legacyCredentials.publicKey()).isEqualTo(theirs.publicKeyBase64Url());
    }

    @Test
    void nodeCryptoVerifiesHeraldsVapidToken() throws Exception {
        PreparedRequest request = sender.prepare(UserAgentKeys.generate().subscription(ENDPOINT),
                PushMessage.builder().payload("x").build());
        VapidJwt.Credentials c = VapidJwt.parseAuthorization(request.headers().get("Authorization"), null);

        JsonNode r = NodeInterop.run(List.of(op("verifyJwt", "token", c.token(), "publicKey", c.publicKey()))).get(0);

        assertThat(r.get("valid").asBoolean()).isTrue();
        assertThat(r.at("/header/alg").asText()).isEqualTo("ES256");
        assertThat(r.at("/claims/aud").asText()).isEqualTo("https://updates.push.services.mozilla.com");
        assertThat(r.at("/claims/sub").asText()).isEqualTo("mailto:ops@herald.example");
    }

    @Test
    void httpEceReadsTheRfc8188ExampleThatHeraldReproduces() throws Exception {
        JsonNode r = NodeInterop.run(List.of(op("decryptWithKey", "body", Rfc8188ExamplesTest.EXAMPLE_1,
                "key", "yqdlZ-tYemfogSmv7Ws5PQ"))).get(0);

        assertThat(new String(Base64Url.decode(r.get("plaintext").asText(), "p"), StandardCharsets.UTF_8))
                .isEqualTo("I am the walrus");
    }
}
