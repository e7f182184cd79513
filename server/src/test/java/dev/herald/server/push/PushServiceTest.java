package dev.herald.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.Base64Url;
import dev.herald.webpush.ContentEncoding;
import dev.herald.webpush.PreparedRequest;
import dev.herald.webpush.PushMessage;
import dev.herald.webpush.UserAgentKeys;
import dev.herald.webpush.VapidKeys;
import dev.herald.webpush.VapidSigner;
import dev.herald.webpush.WebPushSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The embedded push service against a Java WebSocket client speaking the autopush protocol. */
class PushServiceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final VapidKeys APP = VapidKeys.generate();

    record Sent(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(), List.of("")).get(0);
        }
    }

    /** An application server's push: encrypted for {@code browser}, VAPID-signed by {@code vapid}, headers adjustable. */
    private static Sent post(TestServer server, String endpoint, UserAgentKeys browser, String text, VapidKeys vapid,
            Map<String, String> overrides) throws Exception {
        PushMessage.Builder message = PushMessage.builder().payload(text).ttlSeconds(3600).encoding(ContentEncoding.AES128GCM);
        if (overrides.containsKey("topic")) {
            message.topic(overrides.get("topic"));
        }
        try (WebPushSender sender = WebPushSender.builder().vapid(vapid, "mailto:tests@herald.example").clock(server.clock).build()) {
            PreparedRequest prepared = sender.prepare(browser.subscription(endpoint), message.build());
            Map<String, String> headers = new HashMap<>(prepared.headers());
            headers.keySet().removeIf(k -> overrides.keySet().stream().anyMatch(o -> o.equalsIgnoreCase(k)));
            overrides.forEach((k, v) -> {
                if (v != null && !k.equals("topic")) {
                    headers.put(k, v);
                }
            });
            if (overrides.containsKey("topic") && overrides.get("topic") != null) {
                headers.put("Topic", overrides.get("topic"));
            }
            byte[] body = overrides.containsKey("body") ? overrides.get("body").getBytes(StandardCharsets.UTF_8) : prepared.body();
            headers.remove("body");
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(b::header);
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Sent(r.statusCode(), r.headers().map(), r.body());
        }
    }

    private static Sent post(TestServer server, String endpoint, UserAgentKeys browser, String text) throws Exception {
        return post(server, endpoint, browser, text, APP, Map.of());
    }

    private static String decrypt(UserAgentKeys browser, JsonNode notification) throws Exception {
        assertThat(notification.at("/headers/encoding").asText()).isEqualTo("aes128gcm");
        return new String(browser.decrypt(Base64Url.decode(notification.get("data").asText(), "data")), StandardCharsets.UTF_8);
    }

    private static int stored(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM push_messages").mapTo(Integer.class).one());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void helloRegisterNotifyAckAndHeraldsOwnEngineDeliversThrough(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            String uaid = ua.hello(null);
            assertThat(uaid).matches("[0-9a-f]{32}");
            String channel = UUID.randomUUID().toString();
            JsonNode registered = ua.register(channel, server.app.vapidPublicKey());
            assertThat(registered.get("status").asInt()).isEqualTo(200);
            assertThat(registered.get("channelID").asText()).isEqualTo(channel);
            String endpoint = registered.get("pushEndpoint").asText();
            assertThat(endpoint).startsWith(server.app.publicUrl() + "/wpush/v2/").doesNotContain(uaid).doesNotContain(channel);

            // Herald's delivery engine treats its own push service like any other: subscribe, send, done.
            UserAgentKeys browser = UserAgentKeys.generate();
            server.subscribe("ada", endpoint, browser);
            String id = server.send(Map.of("userIds", List.of("ada")), "Grüße aus Herald ✓", Map.of());
            JsonNode notification = ua.next();
            assertThat(notification.get("messageType").asText()).isEqualTo("notification");
            assertThat(notification.get("channelID").asText()).isEqualTo(channel);
            assertThat(decrypt(browser, notification)).contains("\"title\":\"Grüße aus Herald ✓\"");
            Eventually.until("sent", () -> server.count(id, "sent") == 1);
            assertThat(stored(server)).as("kept until acknowledged").isEqualTo(1);
            ua.ack(notification);
            ua.drain();
            assertThat(stored(server)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void storedMessagesArriveOnTheNextHelloTopicsReplaceAndTtlExpires(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend)) {
            UserAgentKeys browser = UserAgentKeys.generate();
            String uaid;
            String endpoint;
            try (UserAgentClient ua = new UserAgentClient(server.app.port())) {
                uaid = ua.hello(null);
                endpoint = ua.register(UUID.randomUUID().toString(), APP.publicKeyBase64Url()).get("pushEndpoint").asText();
            }
            assertThat(post(server, endpoint, browser, "first").status()).isEqualTo(201);
            assertThat(post(server, endpoint, browser, "score 1-0", APP, Map.of("topic", "score")).status()).isEqualTo(201);
            assertThat(post(server, endpoint, browser, "score 2-0", APP, Map.of("topic", "score")).status()).isEqualTo(201);
            Sent shortLived = post(server, endpoint, browser, "short", APP, Map.of("TTL", "60"));
            assertThat(shortLived.header("TTL")).isEqualTo("60");
            Sent now = post(server, endpoint, browser, "now or never", APP, Map.of("TTL", "0"));
            assertThat(now.status()).isEqualTo(201);
            server.clock.advance(Duration.ofSeconds(61));

            try (UserAgentClient ua = new UserAgentClient(server.app.port())) {
                assertThat(ua.hello(uaid)).as("resumed").isEqualTo(uaid);
                List<JsonNode> arrived = ua.drain();
                List<String> texts = new java.util.ArrayList<>();
                for (JsonNode n : arrived) {
                    texts.add(decrypt(browser, n));
                    ua.ack(n);
                }
                assertThat(texts).as("stored in order; the topic kept only its latest; TTL 60 expired; TTL 0 dropped")
                        .containsExactly("first", "score 2-0");
                ua.drain();
            }
            try (UserAgentClient ua = new UserAgentClient(server.app.port())) {
                ua.hello(uaid);
                assertThat(ua.drain()).as("acknowledged messages are gone").isEmpty();
                Sent live = post(server, endpoint, browser, "live, TTL 0", APP, Map.of("TTL", "0"));
                assertThat(live.status()).isEqualTo(201);
                assertThat(decrypt(browser, ua.next())).isEqualTo("live, TTL 0");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deleteCancelsAnUndeliveredMessage(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend)) {
            UserAgentKeys browser = UserAgentKeys.generate();
            String uaid;
            String endpoint;
            try (UserAgentClient ua = new UserAgentClient(server.app.port())) {
                uaid = ua.hello(null);
                endpoint = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
            }
            assertThat(endpoint).contains("/wpush/v1/");
            Sent sent = post(server, endpoint, browser, "oops");
            String location = sent.header("Location");
            assertThat(location).startsWith(server.app.publicUrl() + "/wpush/m/");
            HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(URI.create(location)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cancel.statusCode()).isEqualTo(204);
            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(location)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).isEqualTo(404);
            assertThat(again.body()).contains("\"code\":\"push-message-unknown\"");
            try (UserAgentClient ua = new UserAgentClient(server.app.port())) {
                ua.hello(uaid);
                assertThat(ua.drain()).isEmpty();
            }
            server.clock.advance(Duration.ofDays(61));
            server.app.runMaintenance();
            assertThat(post(server, endpoint, browser, "after two months").status())
                    .as("a user agent gone for 60 days is forgotten: its endpoints are gone").isEqualTo(410);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void vapidIsVerifiedForRestrictedChannelsAndUnknownChannelsAre404Or410(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            ua.hello(null);
            String channel = UUID.randomUUID().toString();
            String endpoint = ua.register(channel, APP.publicKeyBase64Url()).get("pushEndpoint").asText();
            UserAgentKeys browser = UserAgentKeys.generate();

            Sent none = post(server, endpoint, browser, "x", APP, Map.of("Authorization", ""));
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.body()).contains("push-vapid-required");
            Sent otherKey = post(server, endpoint, browser, "x", VapidKeys.generate(), Map.of());
            assertThat(otherKey.status()).isEqualTo(403);
            assertThat(otherKey.body()).contains("push-vapid-key-mismatch");
            VapidSigner wrongAudience = new VapidSigner(APP, "mailto:tests@herald.example", Duration.ofHours(1), server.clock);
            Sent aud = post(server, endpoint, browser, "x", APP, Map.of("Authorization", wrongAudience.authorization("https://elsewhere.example")));
            assertThat(aud.status()).isEqualTo(401);
            assertThat(aud.body()).contains("aud must be");
            String expiredToken = new VapidSigner(APP, "mailto:tests@herald.example", Duration.ofHours(1), server.clock)
                    .authorization(server.app.publicUrl().toString());
            server.clock.advance(Duration.ofHours(2));
            Sent expired = post(server, endpoint, browser, "x", APP, Map.of("Authorization", expiredToken));
            assertThat(expired.status()).isEqualTo(401);
            assertThat(expired.body()).contains("expired");
            assertThat(post(server, endpoint, browser, "ok").status()).isEqualTo(201);

            Sent forged = post(server, endpoint.substring(0, endpoint.length() - 4) + "AAAA", browser, "x");
            assertThat(forged.status()).isEqualTo(404);
            assertThat(forged.body()).contains("push-endpoint-unknown");
            assertThat(post(server, endpoint.replace("/v2/", "/v1/"), browser, "x").status()).as("v1 path for a v2 token").isEqualTo(404);
            ua.send("{\"messageType\":\"unregister\",\"channelID\":\"" + channel + "\"}");
            List<JsonNode> replies = ua.drain();
            assertThat(replies.get(replies.size() - 1).get("status").asInt()).isEqualTo(200);
            Sent gone = post(server, endpoint, browser, "x");
            assertThat(gone.status()).isEqualTo(410);
            assertThat(gone.body()).contains("push-subscription-gone");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void badRequestsFromApplicationServersAreRefusedWithReasons(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient ua = new UserAgentClient(server.app.port())) {
            ua.hello(null);
            String endpoint = ua.register(UUID.randomUUID().toString(), APP.publicKeyBase64Url()).get("pushEndpoint").asText();
            UserAgentKeys b = UserAgentKeys.generate();
            record Case(String name, Map<String, String> overrides, int status, String code) {}
            Map<String, String> noTtl = new HashMap<>();
            noTtl.put("TTL", null);
            Map<String, String> noEncoding = new HashMap<>();
            noEncoding.put("Content-Encoding", null);
            List<Case> cases = List.of(
                    new Case("missing TTL", noTtl, 400, "push-ttl-required"),
                    new Case("negative TTL", Map.of("TTL", "-5"), 400, "push-invalid-header"),
                    new Case("TTL not a number", Map.of("TTL", "soon"), 400, "push-invalid-header"),
                    new Case("bad Urgency", Map.of("Urgency", "urgent"), 400, "push-invalid-header"),
                    new Case("bad Topic", Map.of("Topic", "has spaces!"), 400, "push-invalid-header"),
                    new Case("long Topic", Map.of("Topic", "a".repeat(33)), 400, "push-invalid-header"),
                    new Case("no Content-Encoding", noEncoding, 400, "push-encoding-required"),
                    new Case("unknown encoding", Map.of("Content-Encoding", "gzip"), 400, "push-encoding-required"),
                    new Case("oversized body", Map.of("body", "x".repeat(4097)), 413, "push-payload-too-large"));
            for (Case c : cases) {
                Sent r = post(server, endpoint, b, "hello", APP, c.overrides());
                assertThat(r.status()).as(c.name() + " " + r.body()).isEqualTo(c.status());
                assertThat(r.header("Content-Type")).as(c.name()).startsWith("application/problem+json");
                assertThat(r.body()).as(c.name()).contains("\"code\":\"" + c.code() + "\"");
            }
            ua.drain();
            for (int i = 0; i < 100; i++) {
                assertThat(post(server, endpoint, b, "n" + i).status()).isEqualTo(201);
            }
            Sent tooMany = post(server, endpoint, b, "one too many");
            assertThat(tooMany.status()).isEqualTo(429);
            assertThat(tooMany.body()).contains("push-too-many-messages");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void garbageFramesCloseOnlyTheirOwnConnection(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend); UserAgentClient healthy = new UserAgentClient(server.app.port())) {
            String uaid = healthy.hello(null);
            record Case(String name, java.util.function.Consumer<UserAgentClient> send, String close) {}
            List<Case> cases = List.of(
                    new Case("not JSON", c -> c.send("hello?"), "1002 not JSON"),
                    new Case("an array", c -> c.send("[1,2]"), "1002 a message must be a JSON object"),
                    new Case("register before hello", c -> c.send("{\"messageType\":\"register\",\"channelID\":\"" + UUID.randomUUID() + "\"}"),
                            "1002 hello first"),
                    new Case("unknown type", c -> {
                        c.send("{\"messageType\":\"hello\"}");
                        c.send("{\"messageType\":\"teleport\"}");
                    }, "1002 unknown messageType 'teleport'"),
                    new Case("binary", UserAgentClient::sendBinary, "1003 binary frames are not part of the protocol"),
                    new Case("huge frame", c -> c.send("{\"messageType\":\"" + "x".repeat(20_000) + "\"}"), "1009"));
            for (Case c : cases) {
                try (UserAgentClient bad = new UserAgentClient(server.app.port())) {
                    c.send().accept(bad);
                    assertThat(bad.closedWith()).as(c.name()).startsWith(c.close());
                }
            }
            try (UserAgentClient greedy = new UserAgentClient(server.app.port())) {
                greedy.hello(null);
                for (int i = 0; i < 256; i++) {
                    assertThat(greedy.register(UUID.randomUUID().toString(), null).get("status").asInt()).isEqualTo(200);
                }
                JsonNode refused = greedy.register(UUID.randomUUID().toString(), null);
                assertThat(refused.get("status").asInt()).isEqualTo(429);
                assertThat(refused.get("error").asText()).contains("at most 256 channels");
                JsonNode badKey = greedy.register(UUID.randomUUID().toString(), "bm90IGEga2V5");
                assertThat(badKey.get("status").asInt()).isEqualTo(400);
                assertThat(greedy.register("not-a-uuid", null).get("status").asInt()).isEqualTo(400);
            }
            assertThat(healthy.drain()).as("the well-behaved connection is still served").isEmpty();
            JsonNode ok = healthy.register(UUID.randomUUID().toString(), null);
            assertThat(ok.get("status").asInt()).isEqualTo(200);
            assertThat(uaid).hasSize(32);
        }
    }

    @org.junit.jupiter.api.Test
    void thePushServiceRoleServesOnlyThePushServiceAndHealth(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        dev.herald.server.config.Settings settings = dev.herald.server.config.Settings.defaults()
                .with(dev.herald.server.config.Option.PORT, "0").with(dev.herald.server.config.Option.HOST, "127.0.0.1")
                .with(dev.herald.server.config.Option.DATA_DIR, dir.toString())
                .with(dev.herald.server.config.Option.VAPID_SUBJECT, "mailto:tests@herald.example").build();
        try (dev.herald.server.HeraldApp app = dev.herald.server.HeraldApp.start(settings, dev.herald.server.HeraldApp.Role.PUSH_SERVICE);
                UserAgentClient ua = new UserAgentClient(app.port())) {
            ua.hello(null);
            assertThat(ua.register(UUID.randomUUID().toString(), null).get("status").asInt()).isEqualTo(200);
            String base = "http://127.0.0.1:" + app.port();
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/config")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as("no application API in this role").isEqualTo(404);
        }
    }

    @org.junit.jupiter.api.Test
    void withSeveralNodesAMessageAcceptedByOneReachesABrowserConnectedToAnother() throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            dev.herald.server.config.SettingsLoader shared = Backend.POSTGRES.database(java.nio.file.Files.createTempDirectory("push-a"), databases)
                    .with(dev.herald.server.config.Option.PORT, "0").with(dev.herald.server.config.Option.HOST, "127.0.0.1")
                    .with(dev.herald.server.config.Option.VAPID_SUBJECT, "mailto:tests@herald.example")
                    .with(dev.herald.server.config.Option.PUBLIC_URL, "http://push.herald.test") // the load balancer
                    .with(dev.herald.server.config.Option.USER_TOKEN_SECRET, "0123456789abcdef0123456789abcdef");
            try (dev.herald.server.HeraldApp a = dev.herald.server.HeraldApp.start(shared.build());
                    dev.herald.server.HeraldApp b = dev.herald.server.HeraldApp.start(shared
                            .with(dev.herald.server.config.Option.DATA_DIR, java.nio.file.Files.createTempDirectory("push-b").toString()).build());
                    UserAgentClient ua = new UserAgentClient(a.port())) {
                ua.hello(null);
                String endpoint = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
                assertThat(endpoint).startsWith("http://push.herald.test/wpush/v1/");
                URI viaB = URI.create("http://127.0.0.1:" + b.port() + URI.create(endpoint).getPath());
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(viaB).header("TTL", "60").header("Content-Encoding", "aes128gcm")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(201);
                JsonNode n = ua.next(); // node A picks it up from the shared store
                assertThat(n.get("messageType").asText()).isEqualTo("notification");
                assertThat(n.get("data").asText()).isEqualTo("AQID");
            }
        }
    }
}
