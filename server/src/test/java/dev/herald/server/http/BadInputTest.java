package dev.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.UserAgentKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client can send wrong gets a 4xx problem+json with its catalog code, never a 5xx. The server runs with
 * production endpoint rules (no development flag), so the push-host policy is exercised as deployed.
 */
class BadInputTest {
    private static TestServer server;
    private static String user;
    private static final UserAgentKeys BROWSER = UserAgentKeys.generate();
    private static final String FCM = "https://fcm.googleapis.com/fcm/send/abc123";

    @BeforeAll
    static void start() {
        server = new TestServer(Backend.SQLITE, s -> s.with(Option.ALLOW_PRIVATE_ENDPOINTS, "false")
                .with(Option.PUSH_HOSTS, "push.example.test,localhost").with(Option.MAX_BODY_BYTES, "4096")
                .with(Option.CATEGORIES, "general:on,security:critical").with(Option.TOPICS, "news,sports"));
        user = server.userToken("alice");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Case(String name, Api.Response response, int status, String code) {}

    private static Map<String, Object> subscription(String endpoint, String p256dh, String auth) {
        return Map.of("subscription", Map.of("endpoint", endpoint, "keys", Map.of("p256dh", p256dh, "auth", auth)));
    }

    private static Api.Response subscribe(Object body) {
        return server.api.post("/api/v1/subscriptions", user, body);
    }

    private static Api.Response notify(Object body) {
        return server.api.post("/api/v1/notifications", server.key, body);
    }

    @Test
    void everyBadRequestIsA4xxProblemWithItsCode() {
        String p256dh = BROWSER.p256dh();
        String auth = BROWSER.authBase64Url();
        List<Case> cases = new ArrayList<>();
        String own = server.app.publicUrl().toString();
        // bodies
        cases.add(new Case("malformed JSON", subscribe("{\"subscription\":"), 400, "malformed-json"));
        cases.add(new Case("JSON array", subscribe("[1,2]"), 400, "malformed-json"));
        cases.add(new Case("empty body", subscribe(""), 400, "malformed-json"));
        cases.add(new Case("duplicate key", subscribe("{\"topics\":[],\"topics\":[]}"), 400, "malformed-json"));
        cases.add(new Case("trailing garbage", subscribe("{} {}"), 400, "malformed-json"));
        cases.add(new Case("oversized body", subscribe("{\"x\":\"" + "a".repeat(5000) + "\"}"), 413, "body-too-large"));
        cases.add(new Case("form content type", server.api.postRaw("/api/v1/subscriptions", user,
                "application/x-www-form-urlencoded", "a=b".getBytes(StandardCharsets.UTF_8)), 415, "unsupported-media-type"));
        // fields
        cases.add(new Case("missing subscription", subscribe(Map.of()), 422, "missing-field"));
        cases.add(new Case("subscription wrong type", subscribe(Map.of("subscription", "x")), 422, "invalid-field"));
        cases.add(new Case("endpoint wrong type", subscribe(Map.of("subscription", Map.of("endpoint", 42,
                "keys", Map.of("p256dh", p256dh, "auth", auth)))), 422, "invalid-field"));
        cases.add(new Case("missing keys", subscribe(Map.of("subscription", Map.of("endpoint", FCM))), 422, "missing-field"));
        cases.add(new Case("unknown field", subscribe(Map.of("subscription", Map.of("endpoint", FCM,
                "keys", Map.of("p256dh", p256dh, "auth", auth)), "colour", "red")), 422, "invalid-field"));
        cases.add(new Case("p256dh too short", subscribe(subscription(FCM, p256dh.substring(0, 40), auth)), 422, "invalid-subscription-keys"));
        cases.add(new Case("p256dh not base64url", subscribe(subscription(FCM, "!!!", auth)), 422, "invalid-subscription-keys"));
        cases.add(new Case("p256dh off the curve", subscribe(subscription(FCM, "B" + "A".repeat(86), auth)), 422, "invalid-subscription-keys"));
        cases.add(new Case("auth 8 bytes", subscribe(subscription(FCM, p256dh, "AAAAAAAAAAA")), 422, "invalid-subscription-keys"));
        cases.add(new Case("bad time zone", subscribe(Map.of("subscription", Map.of("endpoint", FCM,
                "keys", Map.of("p256dh", p256dh, "auth", auth)), "timezone", "Mars/Base")), 422, "invalid-timezone"));
        cases.add(new Case("too many topics", subscribe(Map.of("subscription", Map.of("endpoint", FCM,
                "keys", Map.of("p256dh", p256dh, "auth", auth)), "topics", java.util.Collections.nCopies(21, "t"))), 422, "topic-limit"));
        cases.add(new Case("unknown topic", subscribe(Map.of("subscription", Map.of("endpoint", FCM,
                "keys", Map.of("p256dh", p256dh, "auth", auth)), "topics", List.of("news", "weather"))), 422, "unknown-topic"));
        cases.add(new Case("bad tag name", subscribe(Map.of("subscription", Map.of("endpoint", FCM,
                "keys", Map.of("p256dh", p256dh, "auth", auth)), "tags", Map.of("Plan!", "pro"))), 422, "invalid-field"));
        // forbidden endpoints
        for (String endpoint : List.of("http://fcm.googleapis.com/fcm/send/x", "https://127.0.0.1/push", "https://10.0.0.7/push",
                "https://169.254.169.254/latest/meta-data", "https://[::1]/push", "https://evil.example.org/push",
                "https://localhost/push", "https://user:pw@fcm.googleapis.com/x", "file:///etc/passwd", "not a url",
                // Herald's own push service is exempt only for its exact push path
                own + "/wpush/../internal/admin", own + "/wpush/v1/%2e%2e/%2e%2e/api/v1/config", own + "/wpush/v1/abc?x=1",
                own + "/wpush/v1/abc#x", own + "/wpush/m/abc", own + "/wpush/v2/abc/..")) {
            cases.add(new Case("endpoint " + endpoint, subscribe(subscription(endpoint, p256dh, auth)), 422, "endpoint-not-allowed"));
        }
        // auth
        cases.add(new Case("no token", server.api.post("/api/v1/subscriptions", null, subscription(FCM, p256dh, auth)), 401, "unauthenticated"));
        cases.add(new Case("garbage token", server.api.post("/api/v1/subscriptions", "abc.def.ghi", subscription(FCM, p256dh, auth)), 401, "invalid-token"));
        cases.add(new Case("tampered token", server.api.post("/api/v1/subscriptions", user.substring(0, user.length() - 2) + "xx",
                subscription(FCM, p256dh, auth)), 401, "invalid-token"));
        cases.add(new Case("unknown API key", server.api.post("/api/v1/notifications", "hk_nope", Map.of()), 401, "invalid-api-key"));
        cases.add(new Case("user token on send route", server.api.post("/api/v1/notifications", user, Map.of()), 403, "forbidden"));
        cases.add(new Case("API key on subscribe", server.api.post("/api/v1/subscriptions", server.key, subscription(FCM, p256dh, auth)), 403, "forbidden"));
        // notifications
        Map<String, Object> payload = Map.of("title", "hi");
        cases.add(new Case("no audience", notify(Map.of("payload", payload)), 422, "missing-field"));
        cases.add(new Case("two audiences", notify(Map.of("audience", Map.of("all", true, "userIds", List.of("a")), "payload", payload)), 422, "invalid-field"));
        cases.add(new Case("unknown topic audience", notify(Map.of("audience", Map.of("topic", "weather"), "payload", payload)), 422, "unknown-topic"));
        cases.add(new Case("except with subscriptionIds", notify(Map.of("audience", Map.of("subscriptionIds",
                List.of("01ARZ3NDEKTSV4RRFFQ69G5FAV"), "exceptUserIds", List.of("a")), "payload", payload)), 422, "unsupported-audience"));
        cases.add(new Case("empty tags audience", notify(Map.of("audience", Map.of("tags", Map.of()), "payload", payload)), 422, "invalid-field"));
        cases.add(new Case("unknown category", notify(Map.of("audience", Map.of("all", true), "category", "marketing", "payload", payload)), 422, "unknown-category"));
        cases.add(new Case("sendAtLocal 25:00", notify(Map.of("audience", Map.of("all", true), "sendAtLocal", "25:00", "payload", payload)), 422, "invalid-field"));
        cases.add(new Case("sendAtLocal past", notify(Map.of("audience", Map.of("all", true), "sendAtLocal", "2026-11-20T09:00", "payload", payload)), 422, "invalid-field"));
        cases.add(new Case("sendAtLocal years ahead", notify(Map.of("audience", Map.of("all", true), "sendAtLocal", "2029-11-20T09:00", "payload", payload)), 422, "invalid-field"));
        cases.add(new Case("sendAt with sendAtLocal", notify(Map.of("audience", Map.of("all", true), "sendAtLocal", "09:00",
                "sendAt", "2026-12-01T09:00:00Z", "payload", payload)), 422, "invalid-field"));
        // preferences
        String prefs = "/api/v1/me/preferences";
        cases.add(new Case("prefs Mars/Base", server.api.put(prefs, user, Map.of("timezone", "Mars/Base")), 422, "invalid-timezone"));
        cases.add(new Case("prefs quiet 25:00", server.api.put(prefs, user, Map.of("quietHours", Map.of("start", "25:00", "end", "07:00"))), 422, "invalid-field"));
        cases.add(new Case("prefs quiet 7:00", server.api.put(prefs, user, Map.of("quietHours", Map.of("start", "22:00", "end", "7:00"))), 422, "invalid-field"));
        cases.add(new Case("prefs quiet empty window", server.api.put(prefs, user, Map.of("quietHours", Map.of("start", "22:00", "end", "22:00"))), 422, "invalid-field"));
        cases.add(new Case("prefs quiet Mars", server.api.put(prefs, user, Map.of("quietHours", Map.of("start", "22:00", "end", "07:00",
                "timezone", "Mars/Base"))), 422, "invalid-timezone"));
        cases.add(new Case("prefs negative cap", server.api.put(prefs, user, Map.of("maxPerDay", -1)), 422, "invalid-field"));
        cases.add(new Case("prefs unknown category", server.api.put(prefs, user, Map.of("categories", Map.of("marketing", false))), 422, "unknown-category"));
        cases.add(new Case("prefs critical off", server.api.put(prefs, user, Map.of("categories", Map.of("security", false))), 422, "critical-category"));
        cases.add(new Case("prefs category not bool", server.api.put(prefs, user, Map.of("categories", Map.of("general", "no"))), 422, "invalid-field"));
        cases.add(new Case("prefs unknown topic", server.api.put(prefs, user, Map.of("topics", List.of("weather"))), 422, "unknown-topic"));
        cases.add(new Case("prefs too many topics", server.api.put(prefs, user, Map.of("topics", java.util.Collections.nCopies(21, "news"))), 422, "topic-limit"));
        cases.add(new Case("prefs with a key", server.api.put(prefs, server.key, Map.of()), 403, "forbidden"));
        cases.add(new Case("prefs anonymous", server.api.get(prefs, null), 401, "unauthenticated"));
        // engagement events and stats
        String id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
        cases.add(new Case("event bad type", server.api.post("/api/v1/events", user, Map.of("notificationId", id, "type", "opened")), 422, "invalid-field"));
        cases.add(new Case("event no id", server.api.post("/api/v1/events", user, Map.of("type", "shown")), 422, "missing-field"));
        cases.add(new Case("event action without name", server.api.post("/api/v1/events", user, Map.of("notificationId", id, "type", "action")), 422, "invalid-field"));
        cases.add(new Case("event from the future", server.api.post("/api/v1/events", user, Map.of("notificationId", id, "type", "shown",
                "at", "2027-01-01T00:00:00Z")), 422, "invalid-field"));
        cases.add(new Case("event anonymous", server.api.post("/api/v1/events", null, Map.of("notificationId", id, "type", "shown")), 401, "unauthenticated"));
        cases.add(new Case("event forged receipt", server.api.post("/api/v1/events", null, Map.of("notificationId", id, "type", "shown",
                "receipt", id + ".AAAAAAAAAAAAAAAAAAAAAA")), 403, "not-a-recipient"));
        cases.add(new Case("event never sent", server.api.post("/api/v1/events", user, Map.of("notificationId", id, "type", "shown")), 403, "not-a-recipient"));
        cases.add(new Case("stats bad since", server.api.get("/api/v1/stats?since=yesterday", server.key), 400, "invalid-parameter"));
        cases.add(new Case("stats reversed", server.api.get("/api/v1/stats?since=2026-11-23T00:00:00Z&until=2026-11-01T00:00:00Z", server.key), 400, "invalid-parameter"));
        cases.add(new Case("all false", notify(Map.of("audience", Map.of("all", false), "payload", payload)), 422, "invalid-field"));
        cases.add(new Case("userIds not array", notify(Map.of("audience", Map.of("userIds", "a"), "payload", payload)), 422, "invalid-field"));
        cases.add(new Case("no title", notify(Map.of("audience", Map.of("all", true), "payload", Map.of("body", "x"))), 422, "missing-field"));
        cases.add(new Case("ttl negative", notify(Map.of("audience", Map.of("all", true), "payload", payload, "ttl", -1)), 422, "invalid-field"));
        cases.add(new Case("ttl text", notify(Map.of("audience", Map.of("all", true), "payload", payload, "ttl", "1d")), 422, "invalid-field"));
        cases.add(new Case("bad urgency", notify(Map.of("audience", Map.of("all", true), "payload", payload, "urgency", "asap")), 422, "invalid-field"));
        cases.add(new Case("bad collapseKey", notify(Map.of("audience", Map.of("all", true), "payload", payload, "collapseKey", "a b")), 422, "invalid-field"));
        cases.add(new Case("sendAt in the past", notify(Map.of("audience", Map.of("all", true), "payload", payload,
                "sendAt", "2020-01-01T00:00:00Z")), 422, "invalid-field"));
        cases.add(new Case("sendAt years ahead", notify(Map.of("audience", Map.of("all", true), "payload", payload,
                "sendAt", "2031-01-01T00:00:00Z")), 422, "invalid-field"));
        cases.add(new Case("sendAt not a time", notify(Map.of("audience", Map.of("all", true), "payload", payload, "sendAt", "tomorrow")), 422, "invalid-field"));
        cases.add(new Case("javascript url", notify(Map.of("audience", Map.of("all", true), "payload", Map.of("title", "x",
                "url", "javascript:alert(1)"))), 422, "invalid-field"));
        cases.add(new Case("payload too large", notify(Map.of("audience", Map.of("all", true), "payload", Map.of("title", "x",
                "body", "b".repeat(2000), "data", Map.of("blob", "d".repeat(2000))))), 422, "payload-too-large"));
        // paths
        cases.add(new Case("unknown notification", server.api.get("/api/v1/notifications/00000000000000000000000000", server.key), 404, "not-found"));
        cases.add(new Case("malformed notification id", server.api.get("/api/v1/notifications/..%2F..", server.key), 404, "not-found"));
        cases.add(new Case("unknown route", server.api.get("/api/v1/nothing", null), 404, "route-not-found"));
        cases.add(new Case("bad user id", server.api.post("/api/v1/users/a%20b/tokens", server.key, Map.of()), 400, "invalid-parameter"));
        cases.add(new Case("token ttl too long", server.api.post("/api/v1/users/bob/tokens", server.key, Map.of("ttl", 999999)), 422, "invalid-field"));
        cases.add(new Case("unsubscribe unknown", server.api.delete("/api/v1/subscriptions/nope", user), 404, "not-found"));

        // text that cannot be stored or shown: NUL, other control characters, lone surrogates, infinite numbers
        String sub = "{\"subscription\":{\"endpoint\":\"" + FCM + "\",\"keys\":{\"p256dh\":\"" + p256dh + "\",\"auth\":\"" + auth + "\"}}";
        cases.add(new Case("NUL in userAgent", subscribe(sub + ",\"userAgent\":\"Firefox\\u0000\"}"), 422, "invalid-field"));
        cases.add(new Case("newline in userAgent", subscribe(sub + ",\"userAgent\":\"Firefox\\nX-Injected: 1\"}"), 422, "invalid-field"));
        cases.add(new Case("escape in locale", subscribe(sub + ",\"locale\":\"en\\u001b[31m\"}"), 422, "invalid-field"));
        cases.add(new Case("NUL in a tag", subscribe(sub + ",\"tags\":{\"plan\":\"pro\\u0000\"}}"), 422, "invalid-field"));
        cases.add(new Case("C1 control in a tag", subscribe(sub + ",\"tags\":{\"plan\":\"pro\\u0085\"}}"), 422, "invalid-field"));
        cases.add(new Case("lone surrogate in userAgent", subscribe(sub + ",\"userAgent\":\"a\\ud800b\"}"), 400, "malformed-json"));
        cases.add(new Case("NUL in a member name", subscribe("{\"a\\u0000\":1}"), 422, "invalid-field"));
        cases.add(new Case("NUL in audience tags", notify("{\"audience\":{\"tags\":{\"plan\":\"a\\u0000\"}},\"payload\":{\"title\":\"t\"}}"),
                422, "invalid-field"));
        cases.add(new Case("NUL in audience userIds", notify("{\"audience\":{\"userIds\":[\"a\\u0000\"]},\"payload\":{\"title\":\"t\"}}"),
                422, "invalid-field"));
        cases.add(new Case("control in title", notify("{\"audience\":{\"all\":true},\"payload\":{\"title\":\"t\\u0007\"}}"), 422, "invalid-field"));
        cases.add(new Case("NUL in body", notify("{\"audience\":{\"all\":true},\"payload\":{\"title\":\"t\",\"body\":\"a\\u0000\"}}"),
                422, "invalid-field"));
        cases.add(new Case("NUL in data", notify("{\"audience\":{\"all\":true},\"payload\":{\"title\":\"t\",\"data\":{\"k\":\"\\u0000\"}}}"),
                422, "invalid-field"));
        cases.add(new Case("infinite ttl", notify("{\"audience\":{\"all\":true},\"payload\":{\"title\":\"t\"},\"ttl\":1e999999999}"),
                400, "malformed-json"));
        cases.add(new Case("lone surrogate in title", notify("{\"audience\":{\"all\":true},\"payload\":{\"title\":\"\\udc00\"}}"),
                400, "malformed-json"));
        String mutations = "/api/v1/sync/posts/mutations";
        cases.add(new Case("NUL in a document", server.api.post(mutations, user,
                "{\"mutations\":[{\"id\":\"d1\",\"op\":\"upsert\",\"doc\":{\"text\":\"a\\u0000\"}}]}"), 422, "invalid-field"));
        cases.add(new Case("NUL in a document's member name", server.api.post(mutations, user,
                "{\"mutations\":[{\"id\":\"d1\",\"op\":\"upsert\",\"doc\":{\"\\u0000\":1}}]}"), 422, "invalid-field"));
        cases.add(new Case("infinity in a document", server.api.post(mutations, user,
                "{\"mutations\":[{\"id\":\"d1\",\"op\":\"upsert\",\"doc\":{\"n\":1e999999999}}]}"), 400, "malformed-json"));
        cases.add(new Case("negative infinity in a document", server.api.post(mutations, user,
                "{\"mutations\":[{\"id\":\"d1\",\"op\":\"upsert\",\"doc\":{\"n\":-1e400}}]}"), 400, "malformed-json"));
        cases.add(new Case("lone surrogate in a document", server.api.post(mutations, user,
                "{\"mutations\":[{\"id\":\"d1\",\"op\":\"upsert\",\"doc\":{\"text\":\"\\ud800\"}}]}"), 400, "malformed-json"));
        cases.add(new Case("NUL in an event action", server.api.post("/api/v1/events", user,
                "{\"notificationId\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"type\":\"action\",\"action\":\"r\\u0000\"}"), 422, "invalid-field"));

        for (Case c : cases) {
            assertThat(c.response().status()).as(c.name() + ": " + c.response()).isEqualTo(c.status());
            assertThat(c.response().contentType()).as(c.name()).startsWith("application/problem+json");
            assertThat(c.response().json().get("code").asText()).as(c.name()).isEqualTo(c.code());
            assertThat(c.response().json().get("type").asText()).as(c.name()).isEqualTo("urn:herald:error:" + c.code());
            assertThat(c.response().text()).as(c.name()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void multiLineBodiesAndDocumentsWithNewlinesAndEmojiAreStillAccepted() {
        Api.Response sent = notify("{\"audience\":{\"all\":true},\"payload\":{\"title\":\"Hi 😀\",\"body\":\"line 1\\nline 2\\ttabbed\"}}");
        Api.Response doc = server.api.post("/api/v1/sync/posts/mutations", user,
                "{\"mutations\":[{\"id\":\"nl\",\"op\":\"upsert\",\"doc\":{\"text\":\"a\\nb\\u0007 😀\",\"n\":1e300}}]}");

        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        assertThat(doc.status()).as(doc.toString()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode stored = server.api.get("/api/v1/sync/posts/changes", user).json().at("/changes/0/doc");
        assertThat(stored.get("text").asText()).isEqualTo("a\nb\u0007 😀");
        assertThat(stored.get("n").asDouble()).isEqualTo(1e300);
    }

    @Test
    void aNamedPushHostThatResolvesToLoopbackIsRefused() {
        // 'localhost' is in this server's push-hosts, but it resolves to a loopback address
        Api.Response r = subscribe(subscription("https://localhost/push/1", BROWSER.p256dh(), BROWSER.authBase64Url()));

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").asText()).contains("resolves to a private or local address");
    }

    @Test
    void configuredPushHostsStillHaveTheirAddressesCheckedAndKnownServicesPass() {
        Api.Response r = subscribe(subscription("https://push.example.test/p/1", BROWSER.p256dh(), BROWSER.authBase64Url()));

        assertThat(r.status()).as(r.toString()).isEqualTo(422); // *.test resolves to loopback in this test's resolver
        Api.Response fcm = subscribe(subscription(FCM, BROWSER.p256dh(), BROWSER.authBase64Url()));
        assertThat(fcm.status()).as(fcm.toString()).isEqualTo(201);
    }
}
