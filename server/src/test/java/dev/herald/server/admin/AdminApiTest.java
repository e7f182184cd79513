package dev.herald.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AdminApiTest {

    /** A signed-in console: its cookie and CSRF token. */
    record Console(Api api, String cookie, String csrf) {
        Api.Response get(String path) {
            return api.get(path, null, Map.of("Cookie", cookie));
        }

        Api.Response post(String path, Object body) {
            return api.post(path, null, body, Map.of("Cookie", cookie, AdminAuth.CSRF_HEADER, csrf));
        }

        Api.Response delete(String path) {
            return api.delete(path, null, Map.of("Cookie", cookie, AdminAuth.CSRF_HEADER, csrf));
        }
    }

    static Console signIn(TestServer server) {
        String key = server.app.apiKeys().create("operator", EnumSet.of(Scope.ADMIN)).key();
        Api.Response r = server.api.post("/api/v1/admin/session", null, Map.of("apiKey", key));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Console(server.api, setCookie.substring(0, setCookie.indexOf(';')), r.json().get("csrfToken").asText());
    }

    private static String code(Api.Response r) {
        return r.json().path("code").asText();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void adminRoutesNeedAnAdminSessionOrKeyAndCsrfOnChanges(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Api api = server.api;
            assertThat(api.get("/api/v1/admin/overview", null).status()).isEqualTo(401);
            assertThat(api.get("/api/v1/admin/overview", null, Map.of("Cookie", "herald_admin=forged")).status()).isEqualTo(401);
            // send/manage keys and user tokens are refused, as bearer and at sign-in
            assertThat(api.get("/api/v1/admin/overview", server.key).status()).isEqualTo(403);
            assertThat(api.get("/api/v1/admin/overview", server.userToken("ann")).status()).isEqualTo(403);
            Api.Response wrongScope = api.post("/api/v1/admin/session", null, Map.of("apiKey", server.key));
            assertThat(wrongScope.status()).isEqualTo(403);
            assertThat(wrongScope.headers().firstValue("Set-Cookie")).isEmpty();
            assertThat(api.post("/api/v1/admin/session", null, Map.of("apiKey", "hk_unknown")).status()).isEqualTo(401);

            String adminKey = server.app.apiKeys().create("ops", EnumSet.of(Scope.ADMIN)).key();
            assertThat(api.get("/api/v1/admin/overview", adminKey).status()).isEqualTo(200);

            Api.Response signIn = api.post("/api/v1/admin/session", null, Map.of("apiKey", adminKey));
            String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).startsWith("herald_admin=").contains("; HttpOnly", "; SameSite=Strict", "; Path=/api/v1/admin",
                    "; Max-Age=28800").doesNotContain("Secure");
            Console console = new Console(api, setCookie.substring(0, setCookie.indexOf(';')), signIn.json().get("csrfToken").asText());
            assertThat(console.get("/api/v1/admin/overview").status()).isEqualTo(200);
            assertThat(console.get("/api/v1/admin/session").json().get("csrfToken").asText()).isEqualTo(console.csrf());

            Map<String, Object> newKey = Map.of("name", "ci", "scopes", List.of("send"));
            Api.Response noCsrf = api.post("/api/v1/admin/keys", null, newKey, Map.of("Cookie", console.cookie()));
            assertThat(noCsrf.status()).isEqualTo(403);
            assertThat(code(noCsrf)).isEqualTo("csrf-token-invalid");
            Api.Response wrongCsrf = api.post("/api/v1/admin/keys", null, newKey,
                    Map.of("Cookie", console.cookie(), AdminAuth.CSRF_HEADER, console.csrf() + "x"));
            assertThat(wrongCsrf.status()).isEqualTo(403);
            assertThat(api.delete("/api/v1/admin/session", null, Map.of("Cookie", console.cookie())).status()).isEqualTo(403);
            assertThat(console.post("/api/v1/admin/keys", newKey).status()).isEqualTo(201);

            // sessions expire on the clock
            server.clock.advance(AdminSessions.LIFETIME.minusSeconds(1));
            assertThat(console.get("/api/v1/admin/overview").status()).isEqualTo(200);
            server.clock.advance(Duration.ofSeconds(1));
            assertThat(console.get("/api/v1/admin/overview").status()).isEqualTo(401);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void signOutAndRevokingTheKeyEndTheSession(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Console a = signIn(server);
            Api.Response out = a.delete("/api/v1/admin/session");
            assertThat(out.status()).isEqualTo(204);
            assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
            assertThat(a.get("/api/v1/admin/overview").status()).isEqualTo(401);

            Console b = signIn(server);
            String keyId = b.get("/api/v1/admin/session").json().get("apiKeyId").asText();
            assertThat(b.get("/api/v1/admin/overview").status()).isEqualTo(200);
            assertThat(b.delete("/api/v1/admin/keys/" + keyId).status()).isEqualTo(204);
            assertThat(b.get("/api/v1/admin/overview").status()).isEqualTo(401);
            // the session row is gone after the lifetime, by housekeeping
            server.clock.advance(AdminSessions.LIFETIME);
            assertThat(new AdminSessions(server.app.database().jdbi(), server.clock).prune()).isEqualTo(1);
        }
    }

    @org.junit.jupiter.api.Test
    void consolePagesAndUplotAreServedFromTheJarUnderAStrictPolicy() {
        try (TestServer server = new TestServer(Backend.SQLITE)) {
            for (String path : List.of("/admin", "/admin/", "/admin/app.js", "/admin/sw.js", "/admin/uPlot.esm.js", "/admin/uPlot.min.css")) {
                Api.Response r = server.api.get(path, null);
                assertThat(r.status()).as(path).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'")
                        .contains("frame-ancestors 'none'");
            }
            assertThat(server.api.get("/admin", null).contentType()).startsWith("text/html");
            assertThat(server.api.get("/admin/uPlot.esm.js", null).text()).contains("export { uPlot as default }");
            assertThat(server.api.get("/admin/secrets.txt", null).status()).isEqualTo(404);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void cookieIsSecureWhenThePublicUrlIsHttps(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.PUBLIC_URL, "https://push.herald.test"))) {
            String key = server.app.apiKeys().create("operator", EnumSet.of(Scope.ADMIN)).key();
            Api.Response r = server.api.post("/api/v1/admin/session", null, Map.of("apiKey", key));
            assertThat(r.headers().firstValue("Set-Cookie").orElseThrow()).endsWith("; Secure");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void composeFunnelDeviceTimelineAndOverview(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            String device = server.subscribe("ann", push.endpoint("/p/a").toString(), UserAgentKeys.generate(),
                    Map.of("topics", List.of("news"), "tags", Map.of("plan", "pro")));
            server.subscribe("ben", push.endpoint("/p/b").toString(), UserAgentKeys.generate());
            Console console = signIn(server);

            assertThat(console.post("/api/v1/admin/audience", Map.of("audience", Map.of("all", true))).json().get("devices").asInt())
                    .isEqualTo(2);
            assertThat(console.post("/api/v1/admin/audience", Map.of("audience", Map.of("topic", "news"))).json().get("devices").asInt())
                    .isEqualTo(1);
            assertThat(console.post("/api/v1/admin/audience", Map.of("audience", Map.of("all", true, "exceptUserIds", List.of("ann"))))
                    .json().get("devices").asInt()).isEqualTo(1);

            Api.Response sent = console.post("/api/v1/admin/notifications", Map.of("audience", Map.of("subscriptionIds", List.of(device)),
                    "payload", Map.of("title", "Hello from the console", "body", "hi", "url", "/inbox")));
            assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
            String id = sent.json().get("id").asText();
            Eventually.until("sent", () -> server.count(id, "sent") == 1);

            JsonNode list = console.get("/api/v1/admin/notifications").json();
            assertThat(list.get("items")).hasSize(1);
            assertThat(list.at("/items/0/title").asText()).isEqualTo("Hello from the console");
            assertThat(list.at("/items/0/notification/counts/targeted").asInt()).isEqualTo(1);
            assertThat(list.at("/items/0/notification/counts/sent").asInt()).isEqualTo(1);
            JsonNode detail = console.get("/api/v1/admin/notifications/" + id).json();
            assertThat(detail.at("/results/0/state").asText()).isEqualTo("sent");
            assertThat(detail.at("/results/0/status").asInt()).isEqualTo(201);
            assertThat(detail.at("/message/body").asText()).isEqualTo("hi");

            assertThat(console.get("/api/v1/admin/devices?user=ann").json().get("items")).extracting(d -> d.get("id").asText())
                    .containsExactly(device);
            assertThat(console.get("/api/v1/admin/devices?topic=news").json().get("items")).hasSize(1);
            assertThat(console.get("/api/v1/admin/devices?tag=plan%3Dpro").json().get("items")).hasSize(1);
            assertThat(console.get("/api/v1/admin/devices?endpoint=" + java.net.URLEncoder.encode(push.endpoint("/p/b").toString(),
                    java.nio.charset.StandardCharsets.UTF_8)).json().at("/items/0/userId").asText()).isEqualTo("ben");
            assertThat(console.get("/api/v1/admin/devices").json().get("items")).hasSize(2);
            JsonNode timeline = console.get("/api/v1/admin/devices/" + device).json().get("timeline");
            assertThat(timeline).extracting(e -> e.get("kind").asText()).containsExactly("delivery", "subscribed");
            assertThat(timeline.get(0).get("status").asInt()).isEqualTo(201);
            assertThat(timeline.get(0).get("notificationId").asText()).isEqualTo(id);

            JsonNode overview = console.get("/api/v1/admin/overview").json();
            assertThat(overview.get("devices").asInt()).isEqualTo(2);
            assertThat(overview.at("/byPushService/0/count").asInt()).isEqualTo(2);
            assertThat(overview.at("/queue/due").asInt()).isZero();
            JsonNode series = console.get("/api/v1/admin/deliveries/series?range=hour").json();
            assertThat(series.get("times")).hasSize(60);
            int sentInSeries = 0;
            for (JsonNode n : series.at("/states/sent")) {
                sentInSeries += n.asInt();
            }
            assertThat(sentInSeries).isEqualTo(1);
            assertThat(console.get("/api/v1/admin/deliveries/series?range=week").json().get("times")).hasSize(84);
            assertThat(console.get("/api/v1/admin/deliveries/series?range=year").status()).isEqualTo(400);

            assertThat(console.delete("/api/v1/admin/devices/" + device).status()).isEqualTo(204);
            assertThat(console.get("/api/v1/admin/devices/" + device).status()).isEqualTo(404);
            assertThat(console.get("/api/v1/admin/devices").json().get("items")).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void pushServiceErrorsAndVapidRejectionsRaiseAlerts(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            push.respond(503, Map.of(), "down");
            server.subscribe("ann", push.endpoint("/p/a").toString(), UserAgentKeys.generate());
            Console console = signIn(server);
            assertThat(console.get("/api/v1/admin/overview").json().get("alerts")).isEmpty();
            String first = server.send(Map.of("all", true), "one", Map.of());
            Eventually.until("retrying", () -> console.get("/api/v1/admin/overview").json().at("/queue/retrying").asInt() == 1);
            push.respond(403, Map.of(), "bad jwt");
            server.advance(Duration.ofMinutes(20));
            Eventually.until("rejected", () -> server.deliveries(first).values().iterator().next().get("state").equals("failed"));
            JsonNode alerts = console.get("/api/v1/admin/overview").json().get("alerts");
            assertThat(alerts).extracting(a -> a.get("kind").asText()).containsExactlyInAnyOrder("vapid-rejected");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void keysAreShownOnceAndSettingsHideSecrets(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.DATABASE_PASSWORD, "hunter2"))) {
            Console console = signIn(server);
            Api.Response created = console.post("/api/v1/admin/keys", Map.of("name", "backend", "scopes", List.of("send", "manage")));
            String key = created.json().get("key").asText();
            assertThat(key).startsWith("hk_");
            assertThat(server.api.get("/api/v1/notifications/01ARZ3NDEKTSV4RRFFQ69G5FAV", key).status()).isEqualTo(404);
            String keys = console.get("/api/v1/admin/keys").text();
            assertThat(keys).contains("backend").doesNotContain(key);
            assertThat(console.post("/api/v1/admin/keys", Map.of("name", "x", "scopes", List.of("root"))).status()).isEqualTo(422);
            assertThat(console.delete("/api/v1/admin/keys/" + created.json().get("id").asText()).status()).isEqualTo(204);
            assertThat(server.api.get("/api/v1/notifications/01ARZ3NDEKTSV4RRFFQ69G5FAV", key).status()).isEqualTo(401);
            assertThat(console.delete("/api/v1/admin/keys/" + created.json().get("id").asText()).status()).isEqualTo(404);

            JsonNode settings = console.get("/api/v1/admin/settings").json();
            assertThat(settings.get("vapidPublicKey").asText()).isEqualTo(server.app.vapidPublicKey());
            assertThat(settings.at("/settings/maxAttempts").asInt()).isEqualTo(12);
            assertThat(settings.toString()).doesNotContain("hunter2");
            assertThat(settings.at("/settings/databasePassword").asText()).isEqualTo("<redacted>");
            assertThat(settings.at("/settings/userTokenSecret").asText()).isIn("<redacted>", "<unset>");
            assertThat(settings.at("/settings/vapidPrivateKey").asText()).isIn("<redacted>", "<unset>");
            assertThat(settings.at("/settings/vapidPublicKey").asText()).isNotIn("<redacted>", "<unset>");
            assertThat(settings.at("/settings/allowPrivateEndpoints").asBoolean()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void syncPageListsRefusedMutationsKeepingTheLatestPerCollection(Backend backend) {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.SYNC_COLLECTIONS, "posts:shared"))) {
            String posts = "/api/v1/sync/posts/mutations";
            Map<String, Object> first = Map.of("id", "p1", "op", "upsert", "baseVersion", 0, "doc", Map.of("t", "ada's"));
            assertThat(server.api.post(posts, server.userToken("ada"), Map.of("mutations", List.of(first))).status()).isEqualTo(200);
            Map<String, Object> stale = Map.of("id", "p1", "op", "upsert", "baseVersion", 7, "doc", Map.of("t", "stale"));
            Map<String, Object> others = Map.of("id", "p1", "op", "upsert", "baseVersion", 1, "doc", Map.of("t", "bob's"));
            JsonNode results = server.api.post(posts, server.userToken("ada"), Map.of("mutations", List.of(stale))).json().get("results");
            assertThat(results.at("/0/status").asText()).isEqualTo("conflict");
            server.clock.advance(Duration.ofSeconds(1));
            results = server.api.post(posts, server.userToken("bob"), Map.of("mutations", List.of(others))).json().get("results");
            assertThat(results.at("/0/status").asText()).isEqualTo("forbidden");

            Console console = signIn(server);
            JsonNode conflicts = console.get("/api/v1/admin/sync").json().get("conflicts");
            assertThat(conflicts).hasSize(2);
            assertThat(conflicts.at("/0/status").asText()).isEqualTo("forbidden");
            assertThat(conflicts.at("/0/user").asText()).isEqualTo("bob");
            assertThat(conflicts.at("/0/id").asText()).isEqualTo("p1");
            assertThat(conflicts.at("/0/collection").asText()).isEqualTo("posts");
            assertThat(conflicts.at("/0/owner").isNull()).isTrue();
            assertThat(conflicts.at("/0/at").asText()).isNotEmpty();
            assertThat(conflicts.at("/1/status").asText()).isEqualTo("conflict");
            assertThat(conflicts.at("/1/user").asText()).isEqualTo("ada");

            // bounded: only the latest per collection are kept
            for (int batch = 0; batch < 3; batch++) {
                server.clock.advance(Duration.ofSeconds(1));
                List<Object> neverSeen = new java.util.ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    neverSeen.add(Map.of("id", "n" + batch + "-" + i, "op", "upsert", "baseVersion", 7, "doc", Map.of()));
                }
                assertThat(server.api.post(posts, server.userToken("ada"), Map.of("mutations", neverSeen)).status()).isEqualTo(200);
            }
            long kept = server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sync_conflicts")
                    .mapTo(Long.class).one());
            assertThat(kept).isEqualTo(100); // the two batches of 50 of the latest two seconds
            assertThat(console.get("/api/v1/admin/sync").json().at("/conflicts/0/status").asText()).isEqualTo("conflict");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sendToMyBrowserGetsAShortUserTokenForTheOperatorAndSubscribesThroughThePublicApi(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            Console console = signIn(server);
            assertThat(server.api.post("/api/v1/admin/my-browser/token", null, Map.of(), Map.of("Cookie", console.cookie())).status())
                    .as("no CSRF token").isEqualTo(403);
            assertThat(server.api.post("/api/v1/admin/my-browser/token", server.userToken("ann"), Map.of()).status()).isEqualTo(403);
            assertThat(server.api.post("/api/v1/admin/my-browser/token", server.key, Map.of()).status()).isEqualTo(403);
            Api.Response minted = console.post("/api/v1/admin/my-browser/token", Map.of());
            assertThat(minted.status()).as(minted.toString()).isEqualTo(201);
            assertThat(minted.headers().firstValue("Cache-Control")).hasValue("no-store");
            String userId = minted.json().get("userId").asText();
            assertThat(userId).startsWith("console:");
            assertThat(java.time.Instant.parse(minted.json().get("expiresAt").asText()))
                    .isEqualTo(server.clock.instant().plus(Duration.ofMinutes(10)));

            UserAgentKeys browser = UserAgentKeys.generate();
            Api.Response subscribed = server.api.post("/api/v1/subscriptions", minted.json().get("userToken").asText(),
                    Map.of("subscription", Map.of("endpoint", push.endpoint("/operator").toString(), "keys",
                            Map.of("p256dh", browser.p256dh(), "auth", browser.authBase64Url()))));
            assertThat(subscribed.status()).as(subscribed.toString()).isEqualTo(201);
            assertThat(subscribed.json().get("userId").asText()).isEqualTo(userId);
            String device = subscribed.json().get("id").asText();
            Api.Response sent = console.post("/api/v1/admin/notifications", Map.of("audience", Map.of("subscriptionIds", List.of(device)),
                    "payload", Map.of("title", "Test from the console")));
            assertThat(sent.status()).isEqualTo(202);
            Eventually.until("sent to the operator's browser", () -> server.count(sent.json().get("id").asText(), "sent") == 1);
        }
    }
}
