package dev.herald.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.pushservice.PushService;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.Base64Url;
import dev.herald.webpush.ContentEncoding;
import dev.herald.webpush.EncryptedPayload;
import dev.herald.webpush.PayloadCipher;
import dev.herald.webpush.UserAgentKeys;
import dev.herald.webpush.VapidKeys;
import dev.herald.webpush.VapidSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * What the embedded push service accepts from application servers in the forms they really send, and what it
 * hands the browser: aesgcm headers normalised, no VAPID key forwarded, the older VAPID forms, 410s that say
 * "stop asking", and logs without user-agent ids.
 */
class PushProtocolTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final VapidKeys APP = VapidKeys.generate();

    private static HttpResponse<String> post(String endpoint, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A channel restricted to {@link #APP}'s key (a v2 endpoint). */
    private static String restrictedEndpoint(UserAgentClient ua) throws InterruptedException {
        ua.hello(null);
        return ua.register(UUID.randomUUID().toString(), APP.publicKeyBase64Url()).get("pushEndpoint").asText();
    }

    private static String jwt(TestServer server) {
        return new VapidSigner(APP, "mailto:tests@herald.example", Duration.ofHours(1), server.clock).token(server.app.publicUrl().toString());
    }

    private static byte[] raw(VapidKeys keys) {
        return Base64Url.decode(keys.publicKeyBase64Url(), "key");
    }

    private static String padded(byte[] bytes) {
        return java.util.Base64.getUrlEncoder().encodeToString(bytes);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aesgcmHeadersReachTheBrowserUnquotedUnpaddedAndWithoutTheVapidKey(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            String endpoint = restrictedEndpoint(ua);
            UserAgentKeys browser = UserAgentKeys.generate();
            String jwt = jwt(server);
            EncryptedPayload sealed = PayloadCipher.encrypt("aesgcm from an old sender".getBytes(StandardCharsets.UTF_8),
                    browser.subscription(endpoint), ContentEncoding.AESGCM, 0);
            String salt = Base64Url.encode(sealed.salt());
            String dh = Base64Url.encode(sealed.senderPublicKey());
            assertThat(padded(sealed.salt())).endsWith("==");
            assertThat(padded(sealed.senderPublicKey())).endsWith("=");
            record Form(String name, String encryption, String cryptoKey, String authorization) {}
            List<Form> forms = List.of(
                    new Form("plain", "salt=" + salt, "dh=" + dh + ";p256ecdsa=" + APP.publicKeyBase64Url(), "WebPush " + jwt),
                    new Form("padded", "salt=" + padded(sealed.salt()), "dh=" + padded(sealed.senderPublicKey())
                            + ";p256ecdsa=" + APP.publicKeyBase64Url(), "WebPush " + jwt),
                    new Form("quoted", "salt=\"" + salt + "\"", "dh=\"" + dh + "\";p256ecdsa=\"" + APP.publicKeyBase64Url() + "\"",
                            "Bearer " + jwt),
                    new Form("quoted and padded, with keyids", "keyid=\"p256dh\";salt=\"" + padded(sealed.salt()) + "\"",
                            "keyid=\"other\";dh=\"" + Base64Url.encode(raw(VapidKeys.generate())) + "\","
                                    + " keyid=\"p256dh\";dh=\"" + padded(sealed.senderPublicKey()) + "\";p256ecdsa=" + APP.publicKeyBase64Url(),
                            "Bearer " + jwt),
                    new Form("rs kept", "salt=" + salt + ";rs=4096", "dh=" + dh, "vapid t=" + jwt + ", k=" + APP.publicKeyBase64Url()));
            for (Form f : forms) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("TTL", "60");
                headers.put("Content-Encoding", "aesgcm");
                headers.put("Encryption", f.encryption());
                headers.put("Crypto-Key", f.cryptoKey());
                headers.put("Authorization", f.authorization());
                HttpResponse<String> r = post(endpoint, headers, sealed.body());
                assertThat(r.statusCode()).as(f.name() + " " + r.body()).isEqualTo(201);
                JsonNode n = ua.next();
                JsonNode forwarded = n.get("headers");
                assertThat(forwarded.get("encoding").asText()).isEqualTo("aesgcm");
                assertThat(forwarded.get("encryption").asText()).as(f.name())
                        .isEqualTo(f.name().equals("rs kept") ? "salt=" + salt + ";rs=4096" : "salt=" + salt);
                assertThat(forwarded.get("crypto_key").asText()).as(f.name() + ": the dh the keyid names; no p256ecdsa")
                        .isEqualTo("dh=" + dh);
                byte[] plain = browser.decryptAesgcm(Base64Url.decode(n.get("data").asText(), "data"), sealed.salt(), sealed.senderPublicKey());
                assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo("aesgcm from an old sender");
                ua.ack(n);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void malformedAesgcmValuesAreRefusedNotAcceptedAndLost(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            ua.hello(null);
            String endpoint = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
            String dh = Base64Url.encode(raw(VapidKeys.generate()));
            String salt = Base64Url.encode(new byte[16]);
            Map<String, String[]> cases = new LinkedHashMap<>();
            cases.put("salt not base64url", new String[] {"salt=not*base64!", "dh=" + dh, "Encryption salt"});
            cases.put("salt of 15 bytes", new String[] {"salt=" + Base64Url.encode(new byte[15]), "dh=" + dh, "Encryption salt must be 16 bytes"});
            cases.put("no salt", new String[] {"rs=4096", "dh=" + dh, "Encryption needs salt="});
            cases.put("no dh", new String[] {"salt=" + salt, "p256ecdsa=" + dh, "Crypto-Key needs dh="});
            cases.put("dh too short", new String[] {"salt=" + salt, "dh=" + salt, "Crypto-Key dh must be 65 bytes"});
            cases.put("rs not a number", new String[] {"salt=" + salt + ";rs=big", "dh=" + dh, "Encryption rs"});
            for (Map.Entry<String, String[]> c : cases.entrySet()) {
                HttpResponse<String> r = post(endpoint, Map.of("TTL", "60", "Content-Encoding", "aesgcm",
                        "Encryption", c.getValue()[0], "Crypto-Key", c.getValue()[1]), new byte[] {1, 2, 3});
                assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
                assertThat(r.body()).as(c.getKey()).contains("\"code\":\"push-invalid-header\"").contains(c.getValue()[2]);
            }
            assertThat(ua.drain()).as("nothing was forwarded").isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theOlderVapidFormsBearerAndWebPushAreAcceptedForAes128gcm(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            String endpoint = restrictedEndpoint(ua);
            UserAgentKeys browser = UserAgentKeys.generate();
            String jwt = jwt(server);
            byte[] body = PayloadCipher.encrypt("hi".getBytes(StandardCharsets.UTF_8), browser.subscription(endpoint),
                    ContentEncoding.AES128GCM, 0).body();
            for (String scheme : new String[] {"Bearer", "bearer", "WebPush"}) {
                HttpResponse<String> r = post(endpoint, Map.of("TTL", "60", "Content-Encoding", "aes128gcm",
                        "Authorization", scheme + " " + jwt, "Crypto-Key", "p256ecdsa=" + padded(raw(APP))), body);
                assertThat(r.statusCode()).as(scheme + " " + r.body()).isEqualTo(201);
                assertThat(ua.next().get("headers").toString()).as("no VAPID key forwarded").doesNotContain("p256ecdsa")
                        .doesNotContain("crypto_key");
            }
            HttpResponse<String> other = post(endpoint, Map.of("TTL", "60", "Content-Encoding", "aes128gcm",
                    "Authorization", "Bearer " + jwt, "Crypto-Key", "p256ecdsa=" + Base64Url.encode(raw(VapidKeys.generate()))), body);
            assertThat(other.statusCode()).as("Bearer with another key").isEqualTo(403);
            HttpResponse<String> noKey = post(endpoint, Map.of("TTL", "60", "Content-Encoding", "aes128gcm",
                    "Authorization", "Bearer " + jwt), body);
            assertThat(noKey.statusCode()).isEqualTo(401);
            assertThat(noKey.body()).contains("Crypto-Key: p256ecdsa=");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void goneIsCacheableForADaySoSendersStopRetrying(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            ua.hello(null);
            String channel = UUID.randomUUID().toString();
            String endpoint = ua.register(channel, null).get("pushEndpoint").asText();
            Map<String, String> headers = Map.of("TTL", "60");
            HttpResponse<String> live = post(endpoint, headers, new byte[0]);
            assertThat(live.statusCode()).isEqualTo(201);
            assertThat(live.headers().firstValue("Cache-Control")).isEmpty();
            ua.send("{\"messageType\":\"unregister\",\"channelID\":\"" + channel + "\"}");
            ua.drain();
            HttpResponse<String> gone = post(endpoint, headers, new byte[0]);
            assertThat(gone.statusCode()).isEqualTo(410);
            assertThat(gone.headers().firstValue("Cache-Control")).hasValue("max-age=86400");
            HttpResponse<String> forged = post(endpoint.substring(0, endpoint.length() - 4) + "AAAA", headers, new byte[0]);
            assertThat(forged.statusCode()).isEqualTo(404);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void userAgentIdsStayOutOfTheLogs(Backend backend) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(PushService.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Level level = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logger.addAppender(captured);
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            String uaid = ua.hello(null);
            ua.send("{\"messageType\":\"nack\",\"version\":\"v1\",\"code\":301}");
            ua.drain();
            assertThat(captured.list).as("the nack was logged").isNotEmpty();
            for (ILoggingEvent e : captured.list) {
                String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
                assertThat(line).doesNotContain(uaid).doesNotContain(uaid.toUpperCase());
            }
            assertThat(captured.list.get(0).getFormattedMessage()).matches("nack from user agent [0-9a-f]{12}: .*");
        } finally {
            logger.detachAppender(captured);
            logger.setLevel(level);
        }
    }
}
