package dev.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.http.Router.Route;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Throws generated junk at every route the server registers, with every kind of caller, and requires a 4xx
 * problem (or a success) every time: a client must never be able to cause a 5xx.
 */
class NoServerErrorsTest {
    private static final String[] ATOMS = {"null", "true", "0", "-1", "1e999", "12345678901234567890123", "\"\"", "\"x\"",
            "\"😀\\u0000\"", "[]", "{}", "[[[[]]]]", "\"2026-13-45T99:99:99Z\"", "\"../../etc\"", "3.5"};
    private static final String[] NAMES = {"mutations", "id", "op", "doc", "baseVersion", "audience", "userIds", "all",
            "payload", "title", "url", "actions", "ttl", "sendAt", "subscription", "endpoint", "keys", "p256dh", "auth",
            "topics", "timezone", "subscriptionIds", "category", "urgency", "collapseKey", "data"};

    private static String junk(Random r, int depth) {
        int kind = depth > 3 ? 0 : r.nextInt(3);
        if (kind == 0) {
            return ATOMS[r.nextInt(ATOMS.length)];
        }
        List<String> items = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            items.add(kind == 1 ? junk(r, depth + 1) : "\"" + NAMES[r.nextInt(NAMES.length)] + "\":" + junk(r, depth + 1));
        }
        return kind == 1 ? "[" + String.join(",", items) + "]" : "{" + String.join(",", items) + "}";
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void noJunkRequestCausesA5xx(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Random random = new Random(20261123);
            String[] callers = {null, server.userToken("fuzz"), server.key, "hk_bogus", "not.a.jwt"};
            String nested = "[".repeat(5000) + "]".repeat(5000);
            int requests = 0;
            for (Route route : server.app.routes()) {
                String path = route.path().replace("{id}", "01ARZ3NDEKTSV4RRFFQ69G5FAV").replace("{userId}", "u1")
                        .replace("{collection}", "posts").replace("{topic}", "news").replace("{file}", "herald.js").replace("{version}", "v2").replace("{token}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                        .replaceAll("\\{[A-Za-z]+}", "x1"); // any parameter a later route adds
                for (String caller : callers) {
                    for (int i = 0; i < 40; i++) {
                        String body = i == 0 ? nested : junk(random, 0);
                        Api.Response r = switch (route.method()) {
                            case "POST" -> server.api.post(path, caller, body, Map.of("Idempotency-Key", "\"k" + i + "\""));
                            case "PUT" -> server.api.put(path, caller, body);
                            case "DELETE" -> server.api.delete(path + (i % 2 == 0 ? "" : "%00"), caller);
                            default -> server.api.get(path + "?since=" + java.net.URLEncoder.encode(junk(random, 2),
                                    java.nio.charset.StandardCharsets.UTF_8) + "&limit=" + (i - 5), caller);
                        };
                        requests++;
                        assertThat(r.status()).as(route + " " + caller + " " + body + " -> " + r).isLessThan(500);
                        if (r.status() >= 400) {
                            assertThat(r.contentType()).as(route + " -> " + r).startsWith("application/problem+json");
                        }
                    }
                }
            }
            assertThat(requests).isGreaterThan(1000);
        }
    }

    /** U+0000 is refused before it reaches the database (PostgreSQL's text and jsonb cannot hold it: that was a 500). */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aNulCharacterInAnyTextIsA422OnEveryBackend(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            String user = server.userToken("nul");
            dev.herald.webpush.UserAgentKeys browser = dev.herald.webpush.UserAgentKeys.generate();
            String sub = "{\"subscription\":{\"endpoint\":\"http://127.0.0.1:9/p/1\",\"keys\":{\"p256dh\":\"" + browser.p256dh()
                    + "\",\"auth\":\"" + browser.authBase64Url() + "\"}}";
            List<Api.Response> responses = List.of(
                    server.api.post("/api/v1/subscriptions", user, sub + ",\"userAgent\":\"UA\\u0000\"}"),
                    server.api.post("/api/v1/subscriptions", user, sub + ",\"tags\":{\"plan\":\"p\\u0000\"}}"),
                    server.api.post("/api/v1/notifications", server.key,
                            "{\"audience\":{\"tags\":{\"plan\":\"p\\u0000\"}},\"payload\":{\"title\":\"t\"}}"),
                    server.api.post("/api/v1/sync/posts/mutations", user,
                            "{\"mutations\":[{\"id\":\"d\",\"op\":\"upsert\",\"doc\":{\"text\":\"\\u0000\"}}]}"));
            for (Api.Response r : responses) {
                assertThat(r.status()).as(r.toString()).isEqualTo(422);
                assertThat(r.json().get("code").asText()).isEqualTo("invalid-field");
            }
            long stored = server.app.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT (SELECT COUNT(*) FROM subscriptions) + (SELECT COUNT(*) FROM notifications)").mapTo(Long.class).one());
            assertThat(stored).isZero();
        }
    }
}
